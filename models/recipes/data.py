"""Training batches drawn from the Lamina world (train split seeds only)."""

import torch

from .world import KIND_OBJECT, KIND_TEXT, World, uniforms

VAE_SEED_BASE = 0
DIT_SEED_BASE = 500_000_000


def _train_seeds(world: World, base: int, step: int, batch: int) -> torch.Tensor:
    lo, hi = world.spec["splits"]["train"]
    n = hi - lo + 1
    return lo + (base + step * batch + torch.arange(batch)) % n


def pick_layer(world: World, seeds, kind) -> torch.Tensor:
    """A seeded random non-background layer index per scene (objects or words)."""
    ok = (kind == KIND_OBJECT) | (kind == KIND_TEXT)
    u = uniforms(seeds.to(kind.device), [7777])[:, 0]
    count = ok.sum(1).clamp(min=1)
    nth = (u * count).long().clamp(max=count - 1)
    rank = ok.long().cumsum(1) - 1
    hit = ok & (rank == nth[:, None])
    return hit.float().argmax(1)


def vae_batch(world: World, step: int, batch: int, size: int, crop: int):
    """Premultiplied RGBA crops [B, 4, crop, crop]: half composites, half single layers."""
    seeds = _train_seeds(world, VAE_SEED_BASE, step, batch)
    sc = world.sample(seeds, size)
    out = world.render(sc)
    B = batch
    half = B // 2
    rgba = torch.ones(B, 4, size, size, device=world.device)
    rgba[:, :3] = out["composite"]
    li = pick_layer(world, seeds[half:], out["layer_kind"][half:])
    rgba[half:] = out["layers"][torch.arange(half, B), li]
    if crop >= size:
        return rgba
    # crops: composites anywhere, layers centred (jittered) on their box
    u = uniforms(seeds.to(world.device), [7001, 7002])
    boxes = out["boxes"][torch.arange(half, B), li]
    cx = torch.cat([u[:half, 0] * size, (boxes[:, 0] + boxes[:, 2]) / 2 + (u[half:, 0] - 0.5) * crop / 2])
    cy = torch.cat([u[:half, 1] * size, (boxes[:, 1] + boxes[:, 3]) / 2 + (u[half:, 1] - 0.5) * crop / 2])
    x0 = (cx - crop / 2).round().long().clamp(0, size - crop)
    y0 = (cy - crop / 2).round().long().clamp(0, size - crop)
    ar = torch.arange(crop, device=world.device)
    ys = (y0[:, None] + ar)[:, None, :, None]
    xs = (x0[:, None] + ar)[:, None, None, :]
    bi = torch.arange(B, device=world.device)[:, None, None, None]
    ci = torch.arange(4, device=world.device)[None, :, None, None]
    return rgba[bi, ci, ys, xs]


def dit_batch(world: World, step: int, batch: int, size: int, phrase_fraction: float):
    """(premultiplied RGBA [B, 4, S, S], captions): composites with global captions and
    single object layers (transparent) with their phrases."""
    seeds = _train_seeds(world, DIT_SEED_BASE, step, batch)
    sc = world.sample(seeds, size)
    n_layer = int(round(batch * phrase_fraction))
    n_comp = batch - n_layer
    out = world.render(sc, layers="dense" if n_layer else False)
    rgba = torch.ones(batch, 4, size, size, device=world.device)
    rgba[:, :3] = out["composite"]
    caps = world.captions(sc)
    if n_layer:
        kind = out["layer_kind"][n_comp:].clone()
        kind[kind == KIND_TEXT] = -1  # phrases describe objects only
        li = pick_layer(world, seeds[n_comp:], kind)
        rgba[n_comp:] = out["layers"][torch.arange(n_comp, batch), li]
        phrases = world.phrases(sc)
        for i, layer in enumerate(li.tolist()):
            b = n_comp + i
            # object slot j sits at layer 1 + j; phrases list the active slots in order
            active = sc.obj_active[b].tolist()
            caps[b] = phrases[b][sum(active[: layer - 1])]
    return rgba, caps

"""Training batches drawn from the Lamina world (train split seeds only)."""

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .world import KIND_OBJECT, KIND_TEXT, MAX_OBJECTS, World, uniforms

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


@dataclass
class DiTBatch:
    """rgba: premultiplied [B, 4, S, S]; captions: one per image; owner_shape / owner_colour
    (only when asked for): the class of the front-most layer at every pixel [B, S, S]."""

    rgba: torch.Tensor
    captions: list[str]
    owner_shape: torch.Tensor | None = None
    owner_colour: torch.Tensor | None = None
    owner_word: torch.Tensor | None = None


def owner_classes(world: World, sc, masks, only_layer=None):
    """Per pixel, the class of the front-most layer that covers it (coverage > 0.5):
    shape classes 0 = nothing (background), 1 = a word, 2 + shape id = an object;
    colour classes 0 = nothing or a word, 1 + colour id = an object; word classes 0 =
    nothing or an object, 1 + word id = that word. `only_layer` [B] (-1 = all layers) keeps
    one layer per image (the transparent single-layer samples)."""
    B, L, S, _ = masks.shape
    cover = masks > 0.5
    cover[:, 0] = False  # the background owns what nothing else covers
    if only_layer is not None:
        keep = torch.arange(L, device=masks.device)[None] == only_layer[:, None]
        keep |= (only_layer < 0)[:, None]
        cover &= keep[:, :, None, None]
    z = torch.arange(L, device=masks.device).view(1, L, 1, 1)
    owner = torch.where(cover, z, torch.zeros_like(z)).amax(1)  # [B, S, S] layer index, 0 = none
    shape_of = torch.zeros(B, L, dtype=torch.long, device=masks.device)
    colour_of = torch.zeros_like(shape_of)
    objects = slice(1, 1 + MAX_OBJECTS)
    shape_of[:, objects] = torch.where(sc.obj_active, 2 + sc.obj_shape, 0)
    colour_of[:, objects] = torch.where(sc.obj_active, 1 + sc.obj_colour, 0)
    shape_of[:, 1 + MAX_OBJECTS:] = 1
    word_of = torch.zeros_like(shape_of)
    words = slice(1 + MAX_OBJECTS, 1 + MAX_OBJECTS + sc.word_id.shape[1])
    word_of[:, words] = torch.where(sc.word_active, 1 + sc.word_id, 0)
    flat = owner.flatten(1)
    return tuple(of.gather(1, flat).view(B, S, S) for of in (shape_of, colour_of, word_of))


def token_labels(owner: torch.Tensor, classes: int, grid: int) -> torch.Tensor:
    """Soft labels per image token: the share of each class in the token's cell
    [B, grid * grid, classes] from a per-pixel class map [B, S, S]."""
    onehot = F.one_hot(owner, classes).permute(0, 3, 1, 2).float()
    cells = F.avg_pool2d(onehot, owner.shape[-1] // grid)
    return cells.flatten(2).transpose(1, 2)


def dit_batch(world: World, step: int, batch: int, size: int, phrase_fraction: float, owners=False,
              simple=False) -> DiTBatch:
    """Composites with global captions and single object layers (transparent) with their
    phrases; with `owners`, also who owns every pixel (for the token probe); with `simple`,
    the scenes reduced to one object on a plain background (World.simplify)."""
    seeds = _train_seeds(world, DIT_SEED_BASE, step, batch)
    sc = world.sample(seeds, size)
    if simple:
        sc = world.simplify(sc)
    n_layer = int(round(batch * phrase_fraction))
    n_comp = batch - n_layer
    out = world.render(sc, layers="dense" if n_layer or owners else False)
    rgba = torch.ones(batch, 4, size, size, device=world.device)
    rgba[:, :3] = out["composite"]
    caps = world.captions(sc)
    only = torch.full((batch,), -1, dtype=torch.long, device=world.device)
    if n_layer:
        kind = out["layer_kind"][n_comp:].clone()
        kind[kind == KIND_TEXT] = -1  # phrases describe objects only
        li = pick_layer(world, seeds[n_comp:], kind)
        rgba[n_comp:] = out["layers"][torch.arange(n_comp, batch), li]
        only[n_comp:] = li
        phrases = world.phrases(sc)
        for i, layer in enumerate(li.tolist()):
            b = n_comp + i
            # object slot j sits at layer 1 + j; phrases list the active slots in order
            active = sc.obj_active[b].tolist()
            caps[b] = phrases[b][sum(active[: layer - 1])]
    if not owners:
        return DiTBatch(rgba, caps)
    return DiTBatch(rgba, caps, *owner_classes(world, sc, out["masks"], only))

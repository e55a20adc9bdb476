"""Can the transformer draw a shape at all, and does it carry over? A capacity probe: train
the text encoder + DiT on a fixed pool of one-object scenes (`--per-shape` of each of the
world's shapes, plain backgrounds), then sample captions and ask whether the samples carry
the scenes' silhouettes: two trained scenes of each shape ("seen") and two the probe never
trains on ("unseen", from another seed range).

    python -m models.recipes.memorise --out DIR --seconds 1500 [--per-shape 2] [--from-scratch]

Starts from a resume file's weights (its VAE encodes and decodes) unless --from-scratch.
Every --eval-every steps it samples both sets (20 steps, guidance 4, the same noise each
time) and writes DIR/memorise.jsonl (one line per evaluation) and DIR/memo_NNNNN.png
(rows: seen targets, seen samples, unseen targets, unseen samples). A sample's shape is
"right" when its silhouette overlaps the silhouette of its own scene drawn with the true
shape better than the same scene drawn with any other shape (same box, colour, stroke and
shadow), each moved onto the sample's centre of mass first (a caption does not fix the exact
place; `shape_right_in_place` reads without the move).

If the seen samples take their scenes' shapes, the network can draw them; if the unseen
ones do too as the pool grows, what the full recipe lacks is compute; if even the seen
ones stay blobs, the limit is the architecture or its representation."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from . import checkpoint as ck
from . import config as config_lib
from .images import save_rgba_grid
from .sampling import sample, shift_sigma
from .text import Tokenizer
from .world import World

SCENE_SEED = 3 * 10**6  # scene seeds no training or held-out batch uses
UNSEEN_SEED = 4 * 10**6  # the probe's own held-out scenes (never trained on by it)
DRAWN_IOU = 0.6  # "drawn": read as its shape and overlapping that shape's silhouette this well


def fixed_scenes(world: World, per_shape: int, size: int = 128, first_seed: int = SCENE_SEED):
    """One-object plain-background scenes, `per_shape` of each shape (the first such seeds
    from `first_seed`), ordered by shape."""
    sc = world.simplify(world.sample(torch.arange(first_seed, first_seed + 64 * per_shape * len(world.shapes)), size))
    shape = sc.obj_shape.gather(1, sc.obj_active.long().argmax(1, keepdim=True))[:, 0]
    picked = torch.cat([(shape == s).nonzero()[:per_shape, 0] for s in range(len(world.shapes))])
    if len(picked) < per_shape * len(world.shapes):
        raise ValueError(f"fewer than {per_shape} scenes of some shape among the candidates")
    return _take(sc, picked)


def _take(sc, idx):
    fields = {k: v[idx] for k, v in vars(sc).items() if isinstance(v, torch.Tensor)}
    return replace(sc, **fields)


def shape_of(sc) -> torch.Tensor:
    """The one active object's shape id per scene [B]."""
    return sc.obj_shape.gather(1, sc.obj_active.long().argmax(1, keepdim=True))[:, 0]


def silhouette(rgb: torch.Tensor, background: torch.Tensor, threshold: float = 0.12) -> torch.Tensor:
    """Pixels [B, H, W] that differ from the background colour [B, 3] by more than
    `threshold` (mean absolute difference over RGB)."""
    return (rgb - background[:, :, None, None]).abs().mean(1) > threshold


def border_colour(rgb: torch.Tensor) -> torch.Tensor:
    """The median colour of the image's outermost 4 px ring [B, 3] (a plain background)."""
    m = torch.ones(rgb.shape[-2:], dtype=torch.bool)
    m[4:-4, 4:-4] = False
    return rgb[:, :, m].median(-1).values


def shape_templates(world: World, sc) -> torch.Tensor:
    """Silhouettes [B, S, H, W] of every scene drawn with each of the world's S shapes."""
    bg = world.render(replace(sc, obj_active=torch.zeros_like(sc.obj_active)), layers=False)["composite"]
    bg_colour = border_colour(bg)
    out = []
    for s in range(len(world.shapes)):
        rgb = world.render(replace(sc, obj_shape=torch.full_like(sc.obj_shape, s)), layers=False)["composite"]
        out.append(silhouette(rgb, bg_colour))
    return torch.stack(out, 1)


def iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    inter = (a & b).flatten(-2).sum(-1).float()
    union = (a | b).flatten(-2).sum(-1).float()
    return inter / union.clamp(min=1)


def centroid(mask: torch.Tensor) -> torch.Tensor:
    """The (y, x) centre of mass of each mask [B, ..., H, W] -> [B, ..., 2]; the image's
    centre for an empty mask."""
    H, W = mask.shape[-2:]
    m = mask.float()
    total = m.flatten(-2).sum(-1)
    ys = (m.sum(-1) * torch.arange(H)).sum(-1) / total.clamp(min=1)
    xs = (m.sum(-2) * torch.arange(W)).sum(-1) / total.clamp(min=1)
    empty = total == 0
    return torch.stack([torch.where(empty, (H - 1) / 2, ys), torch.where(empty, (W - 1) / 2, xs)], -1)


def shifted(mask: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """A [H, W] mask moved by whole pixels, what leaves the frame dropped."""
    H, W = mask.shape
    out = torch.zeros_like(mask)
    out[max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = mask[max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
    return out


def read_shapes(rgb: torch.Tensor, templates: torch.Tensor, in_place: bool = False):
    """(the shape each image's silhouette matches best [B], its IoU with every template [B, S]).
    Each template is first moved so that its centre of mass sits on the silhouette's (the
    caption says what and how large, not exactly where), unless `in_place`."""
    sil = silhouette(rgb, border_colour(rgb))
    if not in_place:
        offset = (centroid(sil)[:, None] - centroid(templates)).round().long()
        templates = torch.stack([torch.stack([shifted(t, int(o[0]), int(o[1])) for t, o in zip(ts, os)])
                                 for ts, os in zip(templates, offset)])
    scores = iou(sil[:, None], templates)
    return scores.argmax(1), scores


def load_start(resume: Path, recipe_name: str, world: World, from_scratch: bool):
    """(recipe, vae, text, dit, latent shift, latent scale) to train from."""
    from .train import build
    from .vae import load_codec

    seed = ck.load_resume(resume)
    recipe = config_lib.from_dict(seed["recipe"]) if "recipe" in seed and not recipe_name else config_lib.get(recipe_name)
    vae, text, dit = build(recipe, world)
    vae = load_codec(seed["vae"]) if seed.get("vae") else vae
    if not from_scratch:
        text.load_state_dict(seed["ema_text"])
        dit.load_state_dict(seed["ema_dit"])
    vae.eval()
    return recipe, vae, text, dit, seed["latent_shift"], seed["latent_scale"]


def score(img: torch.Tensor, templates: torch.Tensor, truth: torch.Tensor, names: list[str]) -> dict:
    """How many samples read as their own shape (`shape_right`, `shape_right_in_place`), how
    many are drawn well enough for a person to name it (`shape_drawn`: read right and IoU >=
    DRAWN_IOU with that shape's silhouette; a blob can read "right" at IoU 0.3), per shape."""
    read, scores = read_shapes(img, templates)
    right = read == truth
    iou_true = scores.gather(1, truth[:, None])[:, 0]
    drawn = right & (iou_true >= DRAWN_IOU)
    in_place = read_shapes(img, templates, in_place=True)[0] == truth
    pct = lambda m: round(m.float().mean().item() * 100, 1)  # noqa: E731
    return {"shape_right": pct(right), "shape_right_in_place": pct(in_place), "shape_drawn": pct(drawn),
            "iou_true": round(iou_true.mean().item(), 3),
            "right_by_shape": {n: sum(r for m, r in zip(names, right.tolist()) if m == n) for n in dict.fromkeys(names)},
            "drawn_by_shape": {n: sum(r for m, r in zip(names, drawn.tolist()) if m == n) for n in dict.fromkeys(names)}}


def read_grid(path: Path, rows: int, cols: int, size: int) -> torch.Tensor:
    """A saved memo_NNNNN.png back as RGB tiles [rows, cols, 3, size, size] in [0, 1]."""
    img = torch.from_numpy(np.array(Image.open(path).convert("RGB"))).float() / 255
    img = img.view(rows, size, cols, size, 3)
    return img.permute(0, 2, 4, 1, 3)


def reread(out: Path, per_shape: int, log=print) -> list[dict]:
    """Score every saved grid in `out` again with today's reader (the scenes are rebuilt from
    their seeds; rows: seen targets, seen samples and, where present, unseen targets and
    samples). Writes out/reread.jsonl."""
    world = World.load()
    grids = sorted(out.glob("memo_*.png"))
    cols = 2 * len(world.shapes)
    size = Image.open(grids[0]).size[0] // cols
    sets = {"seen": fixed_scenes(world, min(2, per_shape), size), "unseen": fixed_scenes(world, 2, size, UNSEEN_SEED)}
    prepared = {k: (shape_templates(world, sc), shape_of(sc)) for k, sc in sets.items()}
    names = {k: [world.shapes[s] for s in t.tolist()] for k, (_, t) in prepared.items()}
    rows_out = []
    for path in grids:
        rows = Image.open(path).size[1] // size
        tiles = read_grid(path, rows, cols, size)
        row = {"step": int(path.stem.split("_")[1])}
        for i, k in enumerate(["seen", "unseen"][: rows // 2]):
            row[k] = score(tiles[2 * i + 1], *prepared[k], names[k])
        rows_out.append(row)
        log(f"reread {path.name}: " + ", ".join(f"{k} right {row[k]['shape_right']} % drawn {row[k]['shape_drawn']} %"
                                               for k in ("seen", "unseen") if k in row))
    (out / "reread.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows_out))
    return rows_out


class ProbeSet:
    """Scenes with what training and reading them needs: captions as token ids, the true
    shapes, the shape templates, the renders and their latents."""

    def __init__(self, world: World, tok: Tokenizer, vae, sc, shift_z: float, scale_z: float):
        self.target = world.render(sc, layers=False)["composite"]
        self.captions, self.truth, self.templates = world.captions(sc), shape_of(sc), shape_templates(world, sc)
        self.names = [world.shapes[s] for s in self.truth.tolist()]
        self.ids, self.mask = tok(self.captions)
        rgba = torch.cat([self.target, torch.ones_like(self.target[:, :1])], 1)
        with torch.no_grad():
            self.z0 = torch.cat([(vae.encode(c) - shift_z) * scale_z for c in rgba.split(64)])
            back = torch.cat([vae.decode(z / scale_z + shift_z)[:, :3].clamp(0, 1) for z in self.z0.split(64)])
        self.round_trip_right = (read_shapes(back, self.templates)[0] == self.truth).float().mean().item()


def run(out: Path, seconds: float, resume: Path, per_shape=2, from_scratch=False, recipe_name="", lr=3e-4,
        eval_every=100, steps=20, guidance=4.0, max_steps=10**9, batch=16, log=print):
    """Train on `per_shape` fixed scenes of each shape (random batches of `batch`); every
    `eval_every` steps sample 2 trained scenes of each shape ("seen") and 2 scenes of each
    shape the probe never trains on ("unseen")."""
    out.mkdir(parents=True, exist_ok=True)
    world = World.load()
    recipe, vae, text, dit, shift_z, scale_z = load_start(resume, recipe_name, world, from_scratch)
    tc = recipe.train
    tok = Tokenizer(world.spec)
    pool = ProbeSet(world, tok, vae, fixed_scenes(world, per_shape, tc.image_size), shift_z, scale_z)
    probes = {"seen": ProbeSet(world, tok, vae, fixed_scenes(world, min(2, per_shape), tc.image_size), shift_z, scale_z),
              "unseen": ProbeSet(world, tok, vae, fixed_scenes(world, 2, tc.image_size, UNSEEN_SEED), shift_z, scale_z)}
    null_ids, null_mask = tok([""])
    length = max(pool.ids.shape[1], *(p.ids.shape[1] for p in probes.values()))
    log(f"memorise: {len(pool.captions)} scenes ({', '.join(sorted(set(pool.names)))}), batches of "
        f"{min(batch, len(pool.captions))}, {'from scratch' if from_scratch else f'from {resume}'}; the VAE round trip "
        f"reads {pool.round_trip_right * 100:.0f} % of their shapes, {probes['unseen'].round_trip_right * 100:.0f} % of the unseen")
    params = list(text.parameters()) + list(dit.parameters())
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), weight_decay=0.0)
    budget = ck.Budget(max_steps, seconds, 0.0, "cpu")
    gen = torch.Generator().manual_seed(0)
    step, history = 0, []
    t_wall = time.time()

    def pad(ids, mask):
        extra = length - ids.shape[1]
        return torch.nn.functional.pad(ids, (0, extra), value=tok.pad), torch.nn.functional.pad(mask, (0, extra))

    def sample_set(p: ProbeSet):
        ids, mask = pad(p.ids, p.mask)
        nids, nmask = pad(null_ids, null_mask)
        with torch.no_grad():
            emb, nemb = text(ids, mask), text(nids, nmask)
            z = sample(dit, emb, mask.float(), nemb, nmask.float(), steps=steps, cfg_scale=guidance,
                       shift=config_lib.sampling_shift(tc), generator=torch.Generator().manual_seed(0))
            img = vae.decode(z / scale_z + shift_z)[:, :3].clamp(0, 1)
        return img, {**score(img, p.templates, p.truth, p.names), "latent_mse": round(((z - p.z0) ** 2).mean().item(), 4)}

    def evaluate():
        text.eval(), dit.eval()
        images, row = [], {"step": step, "cpu_s": round(budget.elapsed, 1), "wall_s": round(time.time() - t_wall, 1)}
        for name, p in probes.items():
            img, row[name] = sample_set(p)
            images += [p.target, img]
        text.train(), dit.train()
        history.append(row)
        with open(out / "memorise.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")
        save_rgba_grid(out / f"memo_{step:05d}.png", images, cols=len(probes["seen"].captions))
        log(f"memorise: step {step} ({budget.elapsed:.0f} CPU s): " + ", ".join(
            f"{k} right {row[k]['shape_right']} %, drawn {row[k]['shape_drawn']} % (IoU {row[k]['iou_true']})" for k in probes))

    evaluate()
    B = min(batch, len(pool.captions))
    ids_all, mask_all = pad(pool.ids, pool.mask)
    nids, nmask = pad(null_ids, null_mask)
    while not budget.done(step):
        pick = torch.randperm(len(pool.captions), generator=gen)[:B]
        z0, ids, mask = pool.z0[pick], ids_all[pick], mask_all[pick]
        t = shift_sigma(torch.sigmoid(torch.randn(B, generator=gen)), tc.flow_shift)
        noise = torch.randn(z0.shape, generator=gen)
        drop = torch.rand(B, generator=gen) < tc.caption_dropout
        xt = (1 - t.view(B, 1, 1, 1)) * z0 + t.view(B, 1, 1, 1) * noise
        step_ids, step_mask = torch.where(drop[:, None], nids, ids), torch.where(drop[:, None], nmask, mask)
        v, _, _ = dit(xt, t, text(step_ids, step_mask), step_mask)
        loss = ((v - (noise - z0)) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, tc.grad_clip)
        opt.step()
        step += 1
        if step % 25 == 0:
            log(f"memorise: step {step} loss {loss.item():.4f}")
        if step % eval_every == 0:
            evaluate()
    if history[-1]["step"] != step:
        evaluate()
    return history


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seconds", type=float, default=1200.0, help="CPU seconds of training")
    p.add_argument("--resume", type=Path, default=Path("models/resume/lamina-progressive.pt"))
    p.add_argument("--per-shape", type=int, default=2, help="fixed training scenes of each shape")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--reread", action="store_true", help="score the grids already in --out again, train nothing")
    p.add_argument("--from-scratch", action="store_true")
    p.add_argument("--recipe", default="", help="with --from-scratch, another recipe's architecture")
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--max-steps", type=int, default=10**9, help="stop here even if seconds remain")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.reread:
        reread(a.out, a.per_shape)
        return
    run(a.out, a.seconds, a.resume, a.per_shape, a.from_scratch, a.recipe, a.lr, a.eval_every, max_steps=a.max_steps, batch=a.batch)


if __name__ == "__main__":
    main()

"""Can the transformer draw a shape at all? A capacity probe: train the text encoder + DiT on
a handful of fixed one-object scenes (two of each of the world's shapes, plain backgrounds)
until it has seen each many times, then sample their own captions and ask whether the
samples carry the scenes' silhouettes.

    python -m models.recipes.memorise --out DIR --seconds 1200 [--scenes 16] [--from-scratch]

Starts from a resume file's weights (its VAE encodes and decodes) unless --from-scratch.
Every --eval-every steps it samples the scenes' captions (20 steps, guidance 4, the same
noise each time) and writes DIR/memorise.jsonl (one line per evaluation) and
DIR/memo_NNNNN.png (targets above samples). A sample's shape is "right" when its
silhouette overlaps the silhouette of its own scene drawn with the true shape better than
the same scene drawn with any other shape (same box, colour, stroke and shadow).

If the samples take their scenes' shapes, the network can draw them and what the pack
lacks is compute or generalisation; if they stay blobs, the limit is the architecture or
its representation."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import torch

from . import checkpoint as ck
from . import config as config_lib
from .images import save_rgba_grid
from .sampling import sample, shift_sigma
from .text import Tokenizer
from .world import World

SCENE_SEED = 3 * 10**6  # scene seeds no training or held-out batch uses


def fixed_scenes(world: World, per_shape: int, size: int = 128):
    """One-object plain-background scenes, `per_shape` of each shape (the first such seeds
    from SCENE_SEED), ordered by shape."""
    sc = world.simplify(world.sample(torch.arange(SCENE_SEED, SCENE_SEED + 64 * per_shape * len(world.shapes)), size))
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


def read_shapes(rgb: torch.Tensor, templates: torch.Tensor):
    """(the shape each image's silhouette matches best [B], its IoU with every template [B, S])."""
    sil = silhouette(rgb, border_colour(rgb))
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


def run(out: Path, seconds: float, resume: Path, per_shape=2, from_scratch=False, recipe_name="", lr=3e-4,
        eval_every=100, steps=20, guidance=4.0, max_steps=10**9, log=print):
    out.mkdir(parents=True, exist_ok=True)
    world = World.load()
    recipe, vae, text, dit, shift_z, scale_z = load_start(resume, recipe_name, world, from_scratch)
    tc = recipe.train
    sc = fixed_scenes(world, per_shape, tc.image_size)
    target = world.render(sc, layers=False)["composite"]
    captions, truth, templates = world.captions(sc), shape_of(sc), shape_templates(world, sc)
    names = [world.shapes[s] for s in truth.tolist()]
    tok = Tokenizer(world.spec)
    ids, mask = tok(captions + [""])  # the empty prompt last, padded like the captions
    (ids, null_ids), (mask, null_mask) = ids.split([len(captions), 1]), mask.split([len(captions), 1])
    rgba = torch.cat([target, torch.ones_like(target[:, :1])], 1)
    with torch.no_grad():
        z0 = (vae.encode(rgba) - shift_z) * scale_z
        target_read, _ = read_shapes(vae.decode(z0 / scale_z + shift_z)[:, :3].clamp(0, 1), templates)
    log(f"memorise: {len(captions)} scenes ({', '.join(sorted(set(names)))}), "
        f"{'from scratch' if from_scratch else f'from {resume}'}; the VAE round trip reads "
        f"{(target_read == truth).float().mean() * 100:.0f} % of their shapes")
    params = list(text.parameters()) + list(dit.parameters())
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), weight_decay=0.0)
    budget = ck.Budget(max_steps, seconds, 0.0, "cpu")
    gen = torch.Generator().manual_seed(0)
    B, step, history = len(captions), 0, []
    t_wall = time.time()

    def evaluate():
        text.eval(), dit.eval()
        with torch.no_grad():
            emb, nemb = text(ids, mask), text(null_ids, null_mask)
            z = sample(dit, emb, mask.float(), nemb, null_mask.float(), steps=steps, cfg_scale=guidance,
                       shift=config_lib.sampling_shift(tc), generator=torch.Generator().manual_seed(0))
            img = vae.decode(z / scale_z + shift_z)[:, :3].clamp(0, 1)
        text.train(), dit.train()
        read, scores = read_shapes(img, templates)
        right = read == truth
        row = {"step": step, "cpu_s": round(budget.elapsed, 1), "wall_s": round(time.time() - t_wall, 1),
               "shape_right": round(right.float().mean().item() * 100, 1),
               "iou_true": round(scores.gather(1, truth[:, None]).mean().item(), 3),
               "latent_mse": round(((z - z0) ** 2).mean().item(), 4),
               "right_by_shape": {n: sum(r for m, r in zip(names, right.tolist()) if m == n) for n in dict.fromkeys(names)}}
        history.append(row)
        with open(out / "memorise.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")
        save_rgba_grid(out / f"memo_{step:05d}.png", [target, img], cols=B)
        log(f"memorise: step {step} ({budget.elapsed:.0f} CPU s): shape right {row['shape_right']} %, "
            f"IoU with the true silhouette {row['iou_true']}, latent MSE {row['latent_mse']}")

    evaluate()
    while not budget.done(step):
        t = shift_sigma(torch.sigmoid(torch.randn(B, generator=gen)), tc.flow_shift)
        noise = torch.randn(z0.shape, generator=gen)
        drop = torch.rand(B, generator=gen) < tc.caption_dropout
        xt = (1 - t.view(B, 1, 1, 1)) * z0 + t.view(B, 1, 1, 1) * noise
        step_ids, step_mask = torch.where(drop[:, None], null_ids, ids), torch.where(drop[:, None], null_mask, mask)
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
    p.add_argument("--per-shape", type=int, default=2)
    p.add_argument("--from-scratch", action="store_true")
    p.add_argument("--recipe", default="", help="with --from-scratch, another recipe's architecture")
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--max-steps", type=int, default=10**9, help="stop here even if seconds remain")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    run(a.out, a.seconds, a.resume, a.per_shape, a.from_scratch, a.recipe, a.lr, a.eval_every, max_steps=a.max_steps)


if __name__ == "__main__":
    main()

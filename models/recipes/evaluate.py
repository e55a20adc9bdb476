"""Score a checkpoint on held-out (test split) world scenes and save a comparison grid.

    python -m models.recipes.evaluate --ckpt /work/ckpt/cpu --out models/lamina-tiny/samples.png

Scores (deliberately simple, exact against the world's ground truth):
  background_colour_acc  global captions: the nearest palette colour to the median generated
                         colour over the true background pixels equals the caption's colour
  object_colour_acc      object phrases (transparent layers): nearest palette colour to the
                         median generated colour where generated alpha > 0.5
  layer_alpha_area_ratio phrases: generated alpha area / true alpha area (1 = right size)
  empty_layer_rate       phrases: share of layers with almost no alpha
  object_shape_acc       phrases: a template matcher (every shape fitted to the mask's box,
                         best IoU) names the phrase's shape; shape_matcher_acc_on_true_layers
                         is the same matcher on the true layers (its ceiling)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from . import checkpoint as ck
from . import config as config_lib
from .images import save_rgba_grid
from .sampling import sample
from .text import Tokenizer
from .train import load_trained
from .world import KIND_OBJECT, World


def nearest_palette(rgb, palette):
    return ((rgb[:, None, :] - palette[None]) ** 2).sum(-1).argmin(1)


def classify_shape(world: World, alpha) -> int:
    """Template matcher: fit every world shape to the mask's bounding box (same bottom,
    centre and height) and return the shape id with the best IoU (-1 for an empty mask)."""
    from . import sdf as sdf_lib

    m = alpha > 0.5
    if m.sum() < 4:
        return -1
    ys, xs = m.nonzero(as_tuple=True)
    x0, x1, y0, y1 = xs.min().item(), xs.max().item() + 1, ys.min().item(), ys.max().item() + 1
    S = alpha.shape[-1]
    pix = torch.arange(S, dtype=torch.float32) + 0.5
    X, Y = pix.view(1, S), pix.view(S, 1)
    best, best_iou = -1, -1.0
    for s, name in enumerate(world.shapes):
        hw, top = sdf_lib.SHAPE_BOX[name]
        half = (y1 - y0) / (1 + top)  # box half-extent that gives this height
        cx, cy = (x0 + x1) / 2, y1 - half
        d = sdf_lib.SDF[name]((X - cx) / half, (cy - Y) / half) * half
        t = d < 0
        iou = (t & m).sum().item() / max(1, (t | m).sum().item())
        if iou > best_iou:
            best, best_iou = s, iou
    return best


@torch.no_grad()
def evaluate(ckpt: Path, n=32, steps=20, cfg_scale=4.0, grid: Path | None = None, states=None, sample_shift=None):
    """Scores on test scenes; samples with `sample_shift`, else the recipe's sampling shift."""
    world = World.load()
    vae_state, dit_state = states or (ck.load(ckpt / "vae.pt"), ck.load(ckpt / "dit.pt"))
    recipe, vae, text, dit = load_trained(vae_state, dit_state, world)
    S = recipe.train.image_size
    shift_for_sampling = config_lib.sampling_shift(recipe.train) if sample_shift is None else sample_shift
    shift, scale = dit_state["latent_shift"], dit_state["latent_scale"]
    tok = Tokenizer(world.spec)
    lo = world.spec["splits"]["test"][0]
    sc = world.sample(torch.arange(lo, lo + n), S)
    out = world.render(sc)
    caps = world.captions(sc)
    phrases = [p[0] for p in world.phrases(sc)]  # first object of each scene
    first_layer = (out["layer_kind"] == KIND_OBJECT).float().argmax(1)
    gt_layer = out["layers"][torch.arange(n), first_layer]

    def gen(prompts, seed):
        ids, mask = tok(prompts)
        nid, nmask = tok([""])
        g = torch.Generator().manual_seed(seed)
        z = sample(dit, text(ids, mask), mask.float(), text(nid, nmask), nmask.float(), steps=steps,
                   cfg_scale=cfg_scale, shift=shift_for_sampling, generator=g)
        return vae.decode(z / scale + shift)

    img = gen(caps, 1)
    lay = gen(phrases, 2)
    pal = world.palette
    bg_mask = out["masks"][:, 1:].amax(1) < 0.01
    bg_ok = []
    for i in range(n):
        px = img[i, :3].permute(1, 2, 0)[bg_mask[i]]
        bg_ok.append(bool(nearest_palette(px.median(0).values[None], pal)[0] == sc.bg_colour[i]))
    first_shape = sc.obj_shape[torch.arange(n), first_layer - 1]
    shape_gen = [classify_shape(world, lay[i, 3]) for i in range(n)]
    shape_gt = [classify_shape(world, gt_layer[i, 3]) for i in range(n)]
    obj_ok, ratio, empty = [], [], []
    for i in range(n):
        a = lay[i, 3]
        area_gt = (gt_layer[i, 3] > 0.5).sum().item()
        sel = a > 0.5
        ratio.append(sel.sum().item() / max(1, area_gt))
        if sel.sum() < 4:
            empty.append(1.0)
            obj_ok.append(False)
            continue
        empty.append(0.0)
        rgb = (lay[i, :3] / a.clamp(min=1e-3)).permute(1, 2, 0)[sel]
        obj_ok.append(bool(nearest_palette(rgb.median(0).values[None], pal)[0] == sc.obj_colour[i, first_layer[i] - 1]))
    scores = {"scenes": n, "split": "test", "sampler_steps": steps, "guidance": cfg_scale,
              "dit_steps": dit_state["step"],
              "background_colour_acc": sum(bg_ok) / n, "object_colour_acc": sum(obj_ok) / n,
              "layer_alpha_area_ratio_median": float(torch.tensor(ratio).median()),
              "empty_layer_rate": sum(empty) / n,
              "object_shape_acc": sum(int(a == b) for a, b in zip(shape_gen, first_shape.tolist())) / n,
              "shape_matcher_acc_on_true_layers": sum(int(a == b) for a, b in zip(shape_gt, first_shape.tolist())) / n,
              "chance_shape_acc": 1 / len(world.shapes),
              "chance_colour_acc": 1 / len(world.spec["colour_order"])}
    if grid:
        k = min(n, 8)
        gt_comp = torch.cat([out["composite"][:k], torch.ones_like(out["composite"][:k, :1])], 1)
        save_rgba_grid(grid, [gt_comp, img[:k], gt_layer[:k], lay[:k]], cols=k)
        Path(grid).with_suffix(".txt").write_text(
            "rows: 1 true test scenes, 2 generated from their captions, 3 true first-object layers, "
            "4 generated from their phrases\n" + "\n".join(f"{i}: {caps[i]} | {phrases[i]}" for i in range(k)) + "\n")
    return scores


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default="/work/ckpt/cpu")
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--out", default=None, help="PNG grid path")
    args = ap.parse_args()
    torch.set_num_threads(2)
    scores = evaluate(Path(args.ckpt), args.n, grid=Path(args.out) if args.out else None)
    print(json.dumps(scores, indent=1))
    (Path(args.ckpt) / "eval.json").write_text(json.dumps(scores, indent=1) + "\n")


if __name__ == "__main__":
    main()

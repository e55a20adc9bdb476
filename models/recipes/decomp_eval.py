"""Measure decomposition methods on held-out world scenes (LayerDecomp, issue 16).

    python -m models.recipes.decomp_eval --scenes 300 --grid docs/decompose/grid.png

One object per scene (decomp_data.make_samples, test split seeds), the same masks for
every method. Metrics (per scene, then averaged over the scenes where they are defined):

- bg PSNR (dB): predicted background vs the true one (the scene without the object and
  its shadow), over the whole image; "shadow": only inside the shadow area (true
  foreground alpha > 0 outside the mask; scenes with a visible shadow); "hole": only
  inside the mask.
- fg alpha IoU (incl. shadow): soft IoU of the foreground alpha, sum(min) / sum(max),
  over the whole image, so the shadow counts.
- shadow alpha err: mean |predicted alpha - true alpha| inside the shadow area.
- recomp err: mean |fg over bg - image| in 8-bit levels (0-255), every pixel.

"all" (--all-scenes N): every object and word peeled front to back with its true
visible mask, and, for the model, also with no masks at all ("model, predicted": each
peel finds the front-most layer itself, the object's mask predicted from the
foreground's alpha >= 0.5, stopping when none is found or at `PEEL_CAP`, as the engine's
decompose-all.ts does); compared with the true layer sequence by LayerD's layers edit
distance:
DTW over the two sequences with the layer cost alpha-weighted RGB L1 (straight colours,
weighted by the union alpha max(a, a')) + 1 - soft alpha IoU; reported as the DTW sum
divided by the warping path length, with 0 edits and after up to `--max-edits` greedy
merges of two adjacent layers (in either sequence) that lower it most (LayerD, Suzuki
et al. 2025, Sec. 4; our normalization, written from the paper's description).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

import torch

from . import decomp_baselines as bl
from . import decomp_data as dd
from .checkpoint import cpu_name
from .world import World

PSNR_CAP = 100.0
PEEL_CAP = 8  # the engine's default cap (DecomposeSpec.maxForegrounds)


def psnr(a, b, where=None):
    d = (a - b) ** 2
    if where is not None:
        if not where.any():
            return None
        d = d[:, where]
    mse = float(d.mean())
    return PSNR_CAP if mse <= 10 ** (-PSNR_CAP / 10) else -10 * math.log10(mse)


def soft_iou(a, b):
    den = float(torch.maximum(a, b).sum())
    return 1.0 if den == 0 else float(torch.minimum(a, b).sum()) / den


def sample_metrics(image, mask, true_bg, true_fg, shadow, bg, fg) -> dict:
    rec = dd.recompose(fg[None], bg[None])[0]
    m = {
        "bg_psnr": psnr(bg, true_bg),
        "bg_psnr_shadow": psnr(bg, true_bg, shadow),
        "bg_psnr_hole": psnr(bg, true_bg, mask),
        "fg_alpha_iou": soft_iou(fg[3], true_fg[3]),
        "shadow_alpha_err": float((fg[3] - true_fg[3]).abs()[shadow].mean()) if shadow.any() else None,
        "recomp_err": float((rec - image).abs().mean()) * 255,
    }
    return m


def mean_of(rows, key):
    vals = [r[key] for r in rows if r[key] is not None]
    return (sum(vals) / len(vals), len(vals)) if vals else (None, 0)


# ---------------------------------------------------------------- LayerD edit distance
def cost_matrix(a: list, b: list) -> list[list[float]]:
    """Straight RGBA [4, S, S] layers, every pair: alpha-weighted RGB L1 (weight = the union
    alpha max(a, a'), colours compared per pixel, mean over RGB) + 1 - soft alpha IoU."""
    A = torch.stack(a).flatten(2)[:, None]  # [n, 1, 4, P]
    B = torch.stack(b).flatten(2)[None]  # [1, m, 4, P]
    hi = torch.maximum(A[:, :, 3], B[:, :, 3])
    lo = torch.minimum(A[:, :, 3], B[:, :, 3])
    ws = hi.sum(-1)
    l1 = ((A[:, :, :3] - B[:, :, :3]).abs().mean(2) * hi).sum(-1) / ws.clamp(min=1e-12)
    iou = torch.where(ws > 0, lo.sum(-1) / ws.clamp(min=1e-12), torch.ones_like(ws))
    return (torch.where(ws > 0, l1, torch.zeros_like(l1)) + 1 - iou).tolist()


def layer_cost(p: torch.Tensor, q: torch.Tensor) -> float:
    return cost_matrix([p], [q])[0][0]


def dtw(cost):
    """cost [n, m] -> (sum along the best warping path, its length)."""
    n, m = len(cost), len(cost[0])
    inf = float("inf")
    D = [[(inf, 0)] * (m + 1) for _ in range(n + 1)]
    D[0][0] = (0.0, 0)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best = min(D[i - 1][j], D[i][j - 1], D[i - 1][j - 1])
            D[i][j] = (best[0] + cost[i - 1][j - 1], best[1] + 1)
    return D[n][m]


def merge_over(lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    """Two straight RGBA layers -> hi over lo, straight."""
    pl, ph = torch.cat([lo[:3] * lo[3:], lo[3:]]), torch.cat([hi[:3] * hi[3:], hi[3:]])
    return dd.unpremultiply(ph + (1 - ph[3:]) * pl)


def layers_edit_distance(pred: list, gt: list, max_edits: int = 3) -> list[float]:
    """Normalized DTW after 0..max_edits greedy merges (LayerD's edits)."""
    def score(a, b):
        s, n = dtw(cost_matrix(a, b))
        return s / n

    out = [score(pred, gt)]
    for _ in range(max_edits):
        best = None
        for which in (0, 1):
            seq = pred if which == 0 else gt
            for k in range(len(seq) - 1):
                merged = seq[:k] + [merge_over(seq[k], seq[k + 1])] + seq[k + 2:]
                s = score(merged, gt) if which == 0 else score(pred, merged)
                if best is None or s < best[0]:
                    best = (s, which, merged)
        if best is None or best[0] >= out[-1]:
            out.append(out[-1])
            continue
        if best[1] == 0:
            pred = best[2]
        else:
            gt = best[2]
        out.append(best[0])
    return out


# ---------------------------------------------------------------- runs
def evaluate(world, methods, n_scenes, chunk=50, log=print):
    rows = {name: [] for name in methods}
    flags = []
    for off in range(0, n_scenes, chunk):
        s = dd.make_samples(world, dd.test_seeds(world, min(chunk, n_scenes - off), off))
        for b in range(s["image"].shape[0]):
            flags.append({k: bool(s[k][b]) for k in ("has_shadow", "translucent", "occluded")})
            args = (s["image"][b], s["mask"][b], s["background"][b], s["foreground"][b], s["shadow"][b])
            for name, fn in methods.items():
                bg, fg = fn(s["image"][b], s["mask"][b])
                rows[name].append(sample_metrics(*args, bg, fg))
        log(f"single {off + s['image'].shape[0]}/{n_scenes}")
    return rows, flags


def peel_predicted(fn, image, cap=PEEL_CAP):
    """Peel with no masks until nothing is found -> ([background, fg back to front], count)."""
    cur, fgs = image, []
    while len(fgs) < cap:
        bg, fg = fn(cur, None)
        if dd.predicted_mask(fg) is None:
            break
        fgs.append(fg)
        cur = bg
    return [torch.cat([cur, torch.ones_like(cur[:1])], 0)] + fgs[::-1], len(fgs)


def evaluate_all(world, methods, n_scenes, max_edits=3, log=print, predicted=()):
    """Edit distances per method ("all" with the true masks), plus "<name>, predicted" for the
    methods in `predicted` (no masks); and per predicted method the found-vs-true counts."""
    out = {name: [] for name in methods}
    counts = {}
    for name in predicted:
        out[f"{name}, predicted"] = []
        counts[name] = []
    s = dd.make_samples(world, dd.test_seeds(world, n_scenes))
    for b in range(n_scenes):
        gt = dd.layer_stack(s, b)
        masks = dd.visible_masks(s, b)
        for name, fn in methods.items():
            pred = [dd.unpremultiply(x) for x in bl.peel(fn, s["image"][b], masks)]
            out[name].append(layers_edit_distance(pred, gt, max_edits))
        for name in predicted:
            layers, n = peel_predicted(methods[name], s["image"][b])
            out[f"{name}, predicted"].append(layers_edit_distance([dd.unpremultiply(x) for x in layers], gt, max_edits))
            counts[name].append((n, len(gt) - 1))
        if b % 50 == 49:
            log(f"all {b + 1}/{n_scenes}")
    return out, counts


def summarize(rows, flags):
    keys = ["bg_psnr", "bg_psnr_shadow", "bg_psnr_hole", "fg_alpha_iou", "shadow_alpha_err", "recomp_err"]
    table = {}
    for name, rs in rows.items():
        table[name] = {k: mean_of(rs, k) for k in keys}
        for flag in ("translucent", "occluded"):
            sub = [r for r, f in zip(rs, flags) if f[flag]]
            table[name][f"fg_alpha_iou[{flag}]"] = mean_of(sub, "fg_alpha_iou")
    return table


def save_grid(world, path, methods, n=8, offset=0):
    from .images import over_checker, save_rgba_grid

    s = dd.make_samples(world, dd.test_seeds(world, n, offset))
    cols = [s["image"], s["mask"].float()[:, None].expand(-1, 3, -1, -1), s["background"], over_checker(s["foreground"])]
    for fn in methods.values():
        outs = [fn(s["image"][b], s["mask"][b]) for b in range(n)]
        bg = torch.stack([o[0] for o in outs])
        fg = torch.stack([o[1] for o in outs])
        cols += [bg, over_checker(fg), dd.recompose(fg, bg)]
    S = s["image"].shape[-1]
    sep = torch.ones(n, 3, S, 2)
    rows = torch.cat([torch.cat([c, sep], -1) for c in cols], -1)  # [n, 3, S, W]
    save_rgba_grid(path, [rows], cols=1)
    from PIL import Image, ImageDraw

    heads = ["input", "mask", "true bg", "true fg"] + [f"{m} {p}" for m in methods for p in ("bg", "fg", "recomposed")]
    img = Image.open(path)
    out = Image.new("RGB", (img.width, img.height + 16), "white")
    out.paste(img, (0, 16))
    draw = ImageDraw.Draw(out)
    for i, h in enumerate(heads):
        draw.text((i * (S + 2) + 2, 2), h, fill="black")
    out.save(path)


def write_fixture(world, out_dir, seeds=(0, 1, 4)):
    """PNGs for the TypeScript tests (main/engine/pipelines/fixtures/decompose): per test
    scene offset k, k-image.png, k-mask.png, k-background.png (truth), k-telea.png
    (OpenCV's Telea inpainting of the mask, radius 3)."""
    from PIL import Image

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def save(t, name):
        arr = (t.clamp(0, 1) * 255).round().byte()
        arr = arr.permute(1, 2, 0).numpy() if arr.dim() == 3 else arr.numpy()
        Image.fromarray(arr).save(out / name)

    for k in seeds:
        s = dd.make_samples(world, dd.test_seeds(world, 1, k))
        img = (s["image"][0] * 255).round() / 255  # what the PNG holds
        save(img, f"{k}-image.png")
        save(s["mask"][0].float(), f"{k}-mask.png")
        save(s["background"][0], f"{k}-background.png")
        save(bl.telea(img, s["mask"][0]), f"{k}-telea.png")


def fmt(v, nd=2):
    return "-" if v is None else f"{v:.{nd}f}"


def markdown(table, all_rows, n_scenes, n_all, max_edits, counts=None):
    lines = ["| method | bg PSNR (dB) | bg PSNR in shadow (dB) | bg PSNR in hole (dB) | fg alpha IoU incl. shadow"
             " | shadow alpha err | recomp err (0-255) | fg IoU, translucent | fg IoU, occluded |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, t in table.items():
        lines.append(f"| {name} | {fmt(t['bg_psnr'][0])} | {fmt(t['bg_psnr_shadow'][0])} | {fmt(t['bg_psnr_hole'][0])}"
                     f" | {fmt(t['fg_alpha_iou'][0], 3)} | {fmt(t['shadow_alpha_err'][0], 3)}"
                     f" | {fmt(t['recomp_err'][0], 3)} | {fmt(t['fg_alpha_iou[translucent]'][0], 3)}"
                     f" | {fmt(t['fg_alpha_iou[occluded]'][0], 3)} |")
    any_t = next(iter(table.values()))
    lines.append("")
    lines.append(f"{n_scenes} test scenes; shadow metrics over the {any_t['bg_psnr_shadow'][1]} with a visible shadow; "
                 f"translucent: {any_t['fg_alpha_iou[translucent]'][1]}, occluded: {any_t['fg_alpha_iou[occluded]'][1]}.")
    if all_rows:
        lines += ["", "| method (\"all\", true masks) | layers edit distance, 0 edits | after "
                  f"{max_edits} merges |", "|---|---|---|"]
        for name, rs in all_rows.items():
            e0 = sum(r[0] for r in rs) / len(rs)
            e1 = sum(r[-1] for r in rs) / len(rs)
            lines.append(f"| {name} | {e0:.3f} | {e1:.3f} |")
        lines.append("")
        lines.append(f"{n_all} test scenes, every object and word peeled front to back.")
        for name, cs in (counts or {}).items():
            exact = sum(1 for n, t in cs if n == t) / len(cs) * 100
            mean_found = sum(n for n, _ in cs) / len(cs)
            mean_true = sum(t for _, t in cs) / len(cs)
            lines.append(f"{name}, predicted: found {mean_found:.2f} layers per scene (true {mean_true:.2f}); "
                         f"the right count in {exact:.1f} % of scenes.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", type=int, default=300)
    ap.add_argument("--all-scenes", type=int, default=300)
    ap.add_argument("--max-edits", type=int, default=3)
    ap.add_argument("--methods", default="inpaint,shadow-unmix,identity")
    ap.add_argument("--grid", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--fixture", default=None, help="write the TypeScript tests' PNGs to this folder and stop")
    ap.add_argument("--model-ckpt", default=None, help="adds the `model` method: a decomp.py checkpoint folder")
    ap.add_argument("--steps", type=int, default=20, help="the model method's sampling steps")
    ap.add_argument("--post", default="engine", choices=["raw", "keep", "engine"],
                    help="after sampling: nothing; keep the image outside the grown mask; or that + opaque inside the mask + colour unmixed from the image (what the engine does)")
    ap.add_argument("--model-variants", default="", help="more rows for the model with other --post values, e.g. raw,keep")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    world = World.load()
    if args.fixture:
        write_fixture(world, args.fixture)
        return
    methods = {m: bl.METHODS[m] for m in args.methods.split(",") if m != "model"}
    if args.model_ckpt:
        from .decomp import Decomposer
        methods["model"] = Decomposer(Path(args.model_ckpt), steps=args.steps, post=args.post)
        for extra in args.model_variants.split(",") if args.model_variants else []:
            methods[f"model ({extra})"] = Decomposer(Path(args.model_ckpt), steps=args.steps, post=extra)
    t0 = time.perf_counter()
    rows, flags = evaluate(world, methods, args.scenes)
    table = summarize(rows, flags)
    predicted = ("model",) if "model" in methods else ()
    all_rows, counts = evaluate_all(world, methods, args.all_scenes, args.max_edits, predicted=predicted) if args.all_scenes else ({}, {})
    secs = time.perf_counter() - t0
    md = markdown(table, all_rows, args.scenes, args.all_scenes, args.max_edits, counts)
    print(md)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{secs:.0f} s on {cpu_name()} ({platform.machine()}), {args.threads} torch thread, load {load:.1f}")
    if args.grid:
        save_grid(world, args.grid, {m: f for m, f in methods.items() if m != "identity"})
        print(f"grid: {args.grid}")
    if args.json:
        Path(args.json).write_text(json.dumps({"table": table, "all": {k: [r[0] for r in v] for k, v in all_rows.items()}, "counts": counts,
                                               "scenes": args.scenes, "seconds": secs}, indent=1))


if __name__ == "__main__":
    main()

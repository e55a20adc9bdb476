"""Measure placement on held-out world scenes (issue 14): top-1 / top-5 plausible rate of
TopNet (the exported ONNX graph, ONNX Runtime CPU) against (a) uniform random placement,
(b) a heuristic (rest on the lowest line at the object's original scale) and (c) the
sliding-window discriminator (models/recipes/topnet_disc.py) on every candidate of its grid.

A scene: one object taken out (its true placement hidden), the background rendered
without it; a placement is plausible when its cell lies in the exact plausibility volume
(`World.plausibility_volume`, world.json rules.plausibility). Top-5 = five placements at
least NMS_CELLS apart (the same rule as common/placement/placement-kernels.ts topCells);
"top-5 any" = one of them plausible, "top-5 precision" = the plausible fraction of them.

    python -m models.recipes.topnet_eval --pack models/lamina-place --scenes 500 --out docs/placement
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch

from .topnet_data import GRID, N_SCALES, SCALES, make_samples
from .topnet_disc import cells_to_candidates, sliding_grid
from .world import World

NMS = 6


def top_cells(scores: np.ndarray, k: int, nms: int = NMS, allowed: np.ndarray | None = None):
    """scores [S, G, G] -> up to k (s, i, j), best first, >= nms cells apart (Chebyshev in
    i, j); ties by flat index (stable sort) like the TypeScript kernel."""
    flat = scores.reshape(-1)
    order = np.argsort(-flat, kind="stable")
    G = scores.shape[1]
    out = []
    for n in order:
        if len(out) >= k:
            break
        if allowed is not None and not allowed.reshape(-1)[n]:
            continue
        s, rem = divmod(int(n), G * G)
        i, j = divmod(rem, G)
        if any(max(abs(i - a), abs(j - b)) < nms for _, a, b in out):
            continue
        out.append((s, i, j))
    return out


def inside_mask(size_wh):
    """[S, G, G] bool: the placed box (alpha-box size x scale) lies inside the image."""
    w, h = float(size_wh[0]), float(size_wh[1])
    sc = np.array(SCALES).reshape(-1, 1, 1)
    c = (np.arange(GRID) + 0.5) / GRID
    xc, yb = c.reshape(1, 1, -1), c.reshape(1, -1, 1)
    return (xc - sc * w / 2 >= 0) & (xc + sc * w / 2 <= 1) & (yb - sc * h >= 0) & (yb <= 1)


def lowest_line_row(bg: np.ndarray):
    """Heuristic line finder on the background image [3, H, W] (0-1): rows where >= 25 %
    of the pixels have the world's line colour; the top row of the lowest such run."""
    line = np.array([60, 50, 45]).reshape(3, 1, 1) / 255
    near = (np.abs(bg - line).max(0) < 0.12).mean(1) >= 0.25  # [H]
    rows = np.nonzero(near)[0]
    if rows.size == 0:
        return None
    r = rows[-1]
    while r - 1 >= 0 and near[r - 1]:
        r -= 1
    return r


def heuristic_cells(bg: np.ndarray, size_wh, k=5):
    """Rest on the lowest line (or the bottom edge) at the original scale, centred, then
    spread left and right."""
    H = bg.shape[1]
    r = lowest_line_row(bg)
    yb = (r / H) if r is not None else 1.0 - 0.5 / GRID
    i = min(GRID - 1, max(0, int(yb * GRID - 1e-6))) if r is not None else GRID - 1
    s = N_SCALES // 2
    inside = inside_mask(size_wh)[s, i]
    cols = [32, 24, 40, 16, 48, 8, 56, 4, 60]
    ok = [j for j in cols if inside[j]] or cols
    return [(s, i, j) for j in ok[:k]]


def random_cells(size_wh, rng, k=5):
    m = inside_mask(size_wh)
    idx = np.nonzero(m.reshape(-1))[0]
    if idx.size == 0:
        idx = np.arange(m.size)
    pick = rng.choice(idx, size=k, replace=idx.size < k)
    G = GRID
    return [(int(n) // (G * G), (int(n) % (G * G)) // G, int(n) % G) for n in pick]


def hits(vol: np.ndarray, cells):
    return [bool(vol[s, i, j]) for s, i, j in cells]


def softmax(x):
    x = x - x.max()
    e = np.exp(x)
    return e / e.sum()


def ort_session(path, threads=1):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def save_grid(path, rows):
    """rows: list of (background [3,H,W], true composite [3,H,W], heatmap overlay [3,H,W],
    top-5 picture [3,H,W]) -> one PNG (columns: background | true | heatmap | top-5)."""
    from PIL import Image

    tiles = [np.concatenate(list(r), 2) for r in rows]
    img = np.concatenate(tiles, 1)
    Image.fromarray((np.clip(img, 0, 1) * 255).round().astype(np.uint8).transpose(1, 2, 0)).resize(
        (img.shape[2] * 2, img.shape[1] * 2), Image.NEAREST).save(path)


def overlay(bg, vol_scores):
    m = vol_scores.max(0)
    m = m / max(m.max(), 1e-12)
    up = np.kron(m, np.ones((bg.shape[1] // GRID, bg.shape[2] // GRID)))
    t = np.sqrt(up)[None] * 0.85
    col = np.stack([np.ones_like(up), 0.86 * (1 - up) + 0.16 * up, 0.16 * (1 - up)])
    return bg * (1 - t) + col * t


def draw_boxes(bg, boxes):
    img = bg.copy()
    colours = [(1, 0, 0), (1, 0.5, 0), (0.9, 0.8, 0), (0, 0.7, 0), (0, 0.4, 1)]
    H, W = img.shape[1:]
    for k, (x0, y0, x1, y1) in reversed(list(enumerate(boxes))):
        x0, y0, x1, y1 = (int(round(v)) for v in (x0, y0, x1, y1))
        c = np.array(colours[k % 5]).reshape(3, 1)
        for x in range(max(0, x0), min(W, x1)):
            for y in (y0, y1 - 1):
                if 0 <= y < H:
                    img[:, y, x] = c[:, 0]
        for y in range(max(0, y0), min(H, y1)):
            for x in (x0, x1 - 1):
                if 0 <= x < W:
                    img[:, y, x] = c[:, 0]
    return img


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", default="models/lamina-place")
    ap.add_argument("--scenes", type=int, default=500)
    ap.add_argument("--out", default="docs/placement")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--grid-rows", type=int, default=8)
    ap.add_argument("--sliding-scenes", type=int, default=None,
                    help="score the sliding-window baseline on the first N scenes only (it is ~100x slower)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    world = World.load()
    pack = Path(args.pack)
    topnet = ort_session(pack / "topnet.onnx", args.threads)
    disc = ort_session(pack / "discriminator.onnx", args.threads)
    sg = sliding_grid()
    cand = cells_to_candidates(sg).numpy().astype(np.float32)
    t0s = world.spec["splits"]["test"][0]
    seeds = list(range(t0s, t0s + args.scenes))
    rng = np.random.default_rng(0)
    names = ["random", "heuristic", "sliding", "topnet"]
    res = {n: {"top1": 0, "top5_any": 0, "top5_prec": 0.0} for n in names}
    n_slide = args.sliding_scenes if args.sliding_scenes is not None else args.scenes
    sub = {n: {"top1": 0, "top5_any": 0, "top5_prec": 0.0} for n in names}  # the first n_slide scenes
    by_kind = {k: {n: 0 for n in names} | {"scenes": 0} for k in ("ground only", "ground + shelf", "no lines")}
    t_topnet, t_sliding = [], []
    rows = []
    n_done = 0
    for c0 in range(0, len(seeds), 50):
        s = make_samples(world, seeds[c0:c0 + 50])
        sc = s["scenes"]
        for b in range(len(seeds[c0:c0 + 50])):
            vol = s["volume"][b].numpy()
            bg = s["background"][b].numpy().astype(np.float32)
            obj = s["object"][b].numpy()[None].astype(np.float32)
            osz = s["object_size"][b].numpy()[None].astype(np.float32)
            # quantize like the cache the nets were trained on (and like PNGs)
            bgq = (np.round(bg * 255) / 255).astype(np.float32)[None]
            objq = (np.round(obj * 255) / 255).astype(np.float32)
            t = time.perf_counter()
            logits = topnet.run(None, {"background": bgq, "object": objq, "object_size": osz})[0][0]
            t_topnet.append(time.perf_counter() - t)
            prob = softmax(logits)
            slide = n_done < n_slide
            cells = {
                "random": random_cells(osz[0], rng),
                "heuristic": heuristic_cells(bg, osz[0]),
                "topnet": top_cells(prob, 5),
            }
            if slide:
                t = time.perf_counter()
                scores = disc.run(None, {"background": bgq, "object": objq, "object_size": osz, "candidates": cand})[0]
                t_sliding.append(time.perf_counter() - t)
                dmap = np.full((N_SCALES, GRID, GRID), -np.inf, dtype=np.float32)
                dmap[sg[:, 0], sg[:, 1], sg[:, 2]] = scores
                cells["sliding"] = top_cells(dmap, 5)
            kind = "no lines" if not bool(sc.has_lines[b]) else ("ground + shelf" if bool(sc.has_shelf[b]) else "ground only")
            by_kind[kind]["scenes"] += 1
            for n in names:
                if n not in cells:
                    continue
                h = hits(vol, cells[n])
                for r in ((res, sub) if slide else (res,)):
                    r[n]["top1"] += h[0]
                    r[n]["top5_any"] += any(h)
                    r[n]["top5_prec"] += sum(h) / len(h)
                by_kind[kind][n] += h[0]
            if len(rows) < args.grid_rows and (n_done % 7 == 0):
                x0, y0, x1, y1 = (sc.obj_box[b, int(s["pick"][b])] * 128).tolist()
                true_img = draw_boxes(bg, [(x0, y0, x1, y1)])
                w, h = osz[0] * 128
                boxes = []
                for (si, i, j) in cells["topnet"]:
                    sc_ = SCALES[si]
                    xc, yb = (j + 0.5) / GRID * 128, (i + 0.5) / GRID * 128
                    boxes.append((xc - sc_ * w / 2, yb - sc_ * h, xc + sc_ * w / 2, yb))
                rows.append((bg, true_img, overlay(bg, prob), draw_boxes(bg, boxes)))
            n_done += 1
        print(f"{n_done}/{len(seeds)} " + " ".join(f"{n} {res[n]['top1'] / n_done:.3f}" for n in names if n != "sliding"), flush=True)
    N = n_done
    n_sub = min(N, n_slide)
    table = {n: {k: round(v / N, 4) for k, v in r.items()} for n, r in res.items() if n != "sliding" or n_sub == N}
    table_sub = {n: {k: round(v / max(1, n_sub), 4) for k, v in r.items()} for n, r in sub.items()}
    kinds = {k: {"scenes": v["scenes"], **{n: round(v[n] / max(1, v["scenes"]), 4) for n in names}} for k, v in by_kind.items()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = {
        "scenes": N, "split": "test", "seeds": [seeds[0], seeds[-1]], "pack": str(pack),
        "table": table, "sliding_scenes": n_sub, "table_first_sliding_scenes": table_sub,
        "top1_by_scene_kind": kinds, "note_by_kind": "sliding counts only its scenes",
        "ms_topnet_ort_python": round(1000 * float(np.median(t_topnet)), 2),
        "ms_sliding_ort_python": round(1000 * float(np.median(t_sliding)), 1),
        "sliding_candidates": int(sg.shape[0]), "topnet_cells": N_SCALES * GRID * GRID,
        "threads": args.threads, "load_average": os.getloadavg()[0],
        "command": f"python -m models.recipes.topnet_eval --pack {args.pack} --scenes {args.scenes} --out {args.out}"
                   + (f" --sliding-scenes {args.sliding_scenes}" if args.sliding_scenes is not None else ""),
    }
    (out / "results.json").write_text(json.dumps(summary, indent=1) + "\n")
    save_grid(out / "grid.png", rows)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()


def write_fixtures(out_dir, pack, seeds=(2_000_000_003, 2_000_000_010, 2_000_000_017)):
    """TypeScript test data (main/engine/pipelines/fixtures/placement): world test scenes as
    PNGs (background; the object's layer, straight alpha, full frame) and what the pack's
    graph gives on them when the inputs are built in Python from the same PNGs (top cells,
    logits summary, plausibility of each top cell).

        python -c "from models.recipes.topnet_eval import write_fixtures as w; w('main/engine/pipelines/fixtures/placement', 'models/lamina-place')"
    """
    from PIL import Image

    from .topnet_data import object_canvas

    world = World.load()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sess = ort_session(Path(pack) / "topnet.onnx")
    s = make_samples(world, list(seeds))
    full = world.render(s["scenes"], layers="dense")["layers"]
    expected = []
    for k, seed in enumerate(seeds):
        bg = s["background"][k]
        Image.fromarray((bg * 255).round().byte().permute(1, 2, 0).numpy()).save(out / f"scene-{k}-background.png")
        lay = full[k, 1 + int(s["pick"][k])]
        a = lay[3:4]
        rgb = torch.where(a > 0, lay[:3] / a.clamp(min=1e-6), torch.zeros_like(lay[:3]))
        Image.fromarray((torch.cat([rgb, a]).clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy(), "RGBA").save(
            out / f"scene-{k}-object.png")
        # inputs from the PNGs, as the TypeScript pipeline builds them
        bgp = torch.from_numpy(np.array(Image.open(out / f"scene-{k}-background.png"))).permute(2, 0, 1).float() / 255
        op = torch.from_numpy(np.array(Image.open(out / f"scene-{k}-object.png"))).permute(2, 0, 1).float() / 255
        prem = torch.cat([op[:3] * op[3:4], op[3:4]])
        canvas, size, box = object_canvas(prem, 128, 128)
        logits = sess.run(None, {"background": bgp[None].numpy(), "object": canvas[None].numpy(),
                                 "object_size": size[None].numpy().astype(np.float32)})[0][0]
        prob = softmax(logits)
        cells = top_cells(prob, 5)
        vol = s["volume"][k].numpy()
        expected.append({"seed": seed, "box": list(box), "object_size": [float(v) for v in size],
                         "top_cells": [list(c) for c in cells], "top_scores": [float(prob[c]) for c in cells],
                         "plausible": [bool(vol[c]) for c in cells],
                         "logits_mean": float(logits.mean()), "logits_max": float(logits.max())})
    (out / "expected.json").write_text(json.dumps({"pack": str(pack), "scenes": expected}, indent=1) + "\n")
    print(f"wrote {len(seeds)} scenes to {out}")

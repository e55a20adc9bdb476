"""ART's measurement on held-out world layouts (issue 17, item 4), in three steps:

    python -m models.recipes.art_eval layouts --n 200 --dir /work/art-eval
    node --import tsx main/engine/evaluation/evaluate-art.ts --dir /work/art-eval
    python -m models.recipes.art_eval score --dir /work/art-eval --out docs/art

1. `layouts`: test-split scenes (never trained on) as ART inputs: the global caption and
   each layer's anonymous box (its alpha's bounding box, shadow included), with what the
   layer holds (object colour / shape / size, or a word); and the true layer stacks
   (true/NNN/layer-K.png: K = 0 the background, 1.. the layers in z-order, straight RGBA).
2. `evaluate-art.ts` runs the product's pipelines: ART (the lamina-art pack) and the
   generate-then-split baseline (lamina-tiny text-to-image of the same caption, the boxes'
   union inpainted for the background, each box cropped and matted against it), writes
   art/ and split/ stacks like true/, and judges every layer alone with the world's object
   judge (judge.json; the true stacks are judged too: the judge's ceiling).
3. `score`: per-layer alpha IoU against the true layer (alpha > 0.5), the share of each
   layer's alpha inside its box, and LayerD's layers edit distance
   (decomp_eval.layers_edit_distance) of [background, layers] against the true stack; with
   judge.json -> evaluation.json, a markdown table and a grid PNG (layout | composite |
   background | each layer on a checkerboard).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from . import art_data as ad
from . import decomp_data as dd
from .decomp_eval import layers_edit_distance
from .world import KIND_OBJECT, MAX_LAYERS, MAX_OBJECTS, World

SIZE = 128


def _png(path: Path, rgba: torch.Tensor) -> None:
    """Straight RGBA [4, S, S] in [0, 1] -> PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = (rgba.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    Image.fromarray(arr, "RGBA").save(path)


def _read(path: Path) -> torch.Tensor:
    arr = np.asarray(Image.open(path).convert("RGBA"), dtype=np.float32) / 255
    return torch.from_numpy(arr).permute(2, 0, 1).contiguous()


def layouts(world: World, n: int, out: Path, offset: int = 0) -> list[dict]:
    seeds = ad.split_seeds(world, "test", n, offset)
    sc = world.sample(seeds, SIZE)
    r = world.render(sc, layers="dense")
    caps = world.captions(sc)
    shapes, colours, sizes, words = world.shapes, world.spec["colour_order"], world.spec["size_order"], world.spec["words"]
    items = []
    for b in range(sc.batch):
        layers, boxes = [], []
        stack = [torch.cat([r["background"][b], torch.ones_like(r["background"][b][:1])])]
        for li in range(1, MAX_LAYERS):
            kind = int(r["layer_kind"][b, li])
            if kind <= 0:
                continue
            box = ad.alpha_box(r["layers"][b, li, 3])
            if box is None:
                continue
            j = li - 1
            if kind == KIND_OBJECT:
                layers.append({"kind": "object", "colour": colours[int(sc.obj_colour[b, j])],
                               "shape": shapes[int(sc.obj_shape[b, j])], "size": sizes[int(sc.obj_size[b, j])]})
            else:
                layers.append({"kind": "text", "word": words[int(sc.word_id[b, li - 1 - MAX_OBJECTS])]})
            x0, y0, x1, y1 = box
            boxes.append([x0, y0, x1 - x0, y1 - y0])
            stack.append(dd.unpremultiply(r["layers"][b, li]))
        for k, layer in enumerate(stack):
            _png(out / "true" / f"{b:03d}" / f"layer-{k}.png", layer)
        items.append({"index": b, "seed": int(seeds[b]), "caption": caps[b], "boxes": boxes, "layers": layers})
    (out / "layouts.json").write_text(json.dumps({"size": SIZE, "split": "test", "layouts": items}, indent=1) + "\n")
    return items


def _stack(d: Path) -> list[torch.Tensor]:
    files = sorted(d.glob("layer-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    return [_read(f) for f in files]


def _iou(a: torch.Tensor, b: torch.Tensor) -> float:
    A, B = a > 0.5, b > 0.5
    u = (A | B).sum().item()
    return 1.0 if u == 0 else (A & B).sum().item() / u


def _in_box(alpha: torch.Tensor, box) -> float:
    x, y, w, h = box
    total = alpha.sum().item()
    return 1.0 if total == 0 else alpha[y:y + h, x:x + w].sum().item() / total


def score(d: Path, methods=("art", "split", "true"), max_edits=3) -> dict:
    items = json.loads((d / "layouts.json").read_text())["layouts"]
    judge = json.loads((d / "judge.json").read_text()) if (d / "judge.json").exists() else {}
    out = {}
    for m in methods:
        if not (d / m).exists():
            continue
        ious, inbox, edits = [], [], []
        for it in items:
            gt, pred = _stack(d / "true" / f"{it['index']:03d}"), _stack(d / m / f"{it['index']:03d}")
            if len(pred) != len(gt):
                raise SystemExit(f"{m}/{it['index']:03d}: {len(pred)} layers, the true stack has {len(gt)}")
            for k in range(1, len(gt)):
                ious.append(_iou(pred[k][3], gt[k][3]))
                inbox.append(_in_box(pred[k][3], it["boxes"][k - 1]))
            edits.append(layers_edit_distance(pred, gt, max_edits))
        e = torch.tensor(edits)
        out[m] = {"layouts": len(items), "layers": len(ious),
                  "alpha_iou": round(float(np.mean(ious)), 3),
                  "alpha_in_box": round(float(np.mean(inbox)), 3),
                  "layers_edit_distance": [round(float(v), 3) for v in e.mean(0)],
                  **judge.get(m, {}).get("summary", {})}
    return out


def _checker(S: int) -> torch.Tensor:
    y, x = torch.meshgrid(torch.arange(S), torch.arange(S), indexing="ij")
    c = (((x // 8) + (y // 8)) % 2).float() * 0.2 + 0.7
    return c.expand(3, S, S)


def _over(layer: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
    return layer[:3] * layer[3:] + base * (1 - layer[3:])


def grid(d: Path, path: Path, rows: int = 6, methods=("true", "art", "split")) -> None:
    """Per layout and method one row: layout (boxes on white) | composite | background |
    each layer on a checkerboard."""
    items = json.loads((d / "layouts.json").read_text())["layouts"][:rows]
    S, gap = SIZE, 4
    width = max(len(it["boxes"]) for it in items) + 3
    cells = []
    for it in items:
        for m in methods:
            st = _stack(d / m / f"{it['index']:03d}")
            lay = torch.ones(3, S, S)
            for k, (x, y, w, h) in enumerate(it["boxes"]):
                col = torch.tensor([0.9 * (k % 2), 0.3, 0.9 * ((k + 1) % 2)])[:, None]
                lay[:, y, x:x + w] = lay[:, y + h - 1, x:x + w] = col
                lay[:, y:y + h, x] = lay[:, y:y + h, x + w - 1] = col
            comp = st[0][:3].clone()
            for layer in st[1:]:
                comp = _over(layer, comp)
            row = [lay, comp, st[0][:3]] + [_over(layer, _checker(S)) for layer in st[1:]]
            cells.append(row + [torch.ones(3, S, S)] * (width - len(row)))
    H = len(cells) * (S + gap)
    W = width * (S + gap)
    img = torch.ones(3, H, W)
    for i, row in enumerate(cells):
        for j, c in enumerate(row):
            img[:, i * (S + gap):i * (S + gap) + S, j * (S + gap):j * (S + gap) + S] = c
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((img.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()).save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    lo = sub.add_parser("layouts")
    lo.add_argument("--n", type=int, default=200)
    lo.add_argument("--dir", type=Path, required=True)
    lo.add_argument("--offset", type=int, default=0)
    sc = sub.add_parser("score")
    sc.add_argument("--dir", type=Path, required=True)
    sc.add_argument("--out", type=Path, default=None, help="writes evaluation.json and samples.png here")
    sc.add_argument("--max-edits", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(1)  # beside training runs, more threads only spin (measured 30x slower)
    world = World.load()
    if a.cmd == "layouts":
        items = layouts(world, a.n, a.dir, a.offset)
        print(f"{len(items)} layouts, {sum(len(i['boxes']) for i in items)} layers -> {a.dir}")
        return
    result = score(a.dir, max_edits=a.max_edits)
    print(json.dumps(result, indent=1))
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "evaluation.json").write_text(json.dumps(result, indent=1) + "\n")
        grid(a.dir, a.out / "samples.png")


if __name__ == "__main__":
    main()

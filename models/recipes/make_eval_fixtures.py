"""Data for the TypeScript evaluator (main/engine/evaluation).

1. shape-templates.json: each world shape's coverage rasterised over its exact drawn
   extent at 32x32 (from sdf.py, so the judge and the world share one definition).
2. fixtures/test-scenes/: composites of held-out test-split scenes plus their ground
   truth (objects with colour, shape, size, pixel box and visible fraction), so the
   evaluator's accuracy on real renders is a test, not a hope.

3. fixtures/test-captions.json: 500 held-out captions of 1, 2 and 3 objects, and
   fixtures/caption-scenes/: the true render of every caption's scene (what a perfect
   generator would draw), for the evaluator's ceilings (`evaluate-pack.ts --ceiling`).
4. word-templates.json: each world word's glyph coverage at the world's word heights for
   a 128 px image, cut from the scenes' own word atlas (glyphs.WordAtlas), for the word
   judge (word-judge.ts).

    python -m models.recipes.make_eval_fixtures [--words-only]
"""

import argparse
import base64
import json
from pathlib import Path

import torch
from PIL import Image

from . import sdf as sdf_lib
from .world import MAX_OBJECTS, World

OUT = Path(__file__).resolve().parents[2] / "main" / "engine" / "evaluation"
T = 32


def shape_templates(world: World) -> dict:
    out = {}
    for name in world.shapes:
        hw, top = sdf_lib.SHAPE_BOX[name]
        pix = (torch.arange(T, dtype=torch.float32) + 0.5) / T
        qx = (-hw + 2 * hw * pix).view(1, T)
        qy = (top - (top + 1) * pix).view(T, 1)
        px_per_unit = T / (2 * hw)
        d = sdf_lib.SDF[name](qx.expand(T, T), qy.expand(T, T)) * px_per_unit
        cov = (0.5 - d).clamp(0, 1)
        out[name] = [round(v * 255) for v in cov.reshape(-1).tolist()]
    return {"size": T, "about": "coverage 0-255, row-major, over each shape's exact drawn extent", "shapes": out}


def word_templates(world: World, size: int = 128) -> dict:
    """Every word's coverage at each height class, cropped to its ink (coverage >= 0.5)."""
    atlas = world.atlas(size)
    words = {}
    for i, word in enumerate(world.spec["words"]):
        words[word] = []
        for c in range(len(atlas.heights)):
            cov = atlas.atlas[c][i]
            ys, xs = (cov >= 0.5).nonzero(as_tuple=True)
            crop = cov[int(ys.min()): int(ys.max()) + 1, int(xs.min()): int(xs.max()) + 1]
            data = (crop * 255).round().byte().reshape(-1).numpy().tobytes()
            words[word].append({"width": crop.shape[1], "height": crop.shape[0],
                                "coverage": base64.b64encode(data).decode()})
    return {"image_size": size, "font_sizes": atlas.heights,
            "about": "per word, one template per font size: coverage 0-255 (base64 bytes, row-major) "
                     "over the box of the pixels with coverage >= 128",
            "words": words}


def test_scenes(world: World, n: int, size: int = 128) -> list:
    start = world.spec["splits"]["test"][0]
    seeds = torch.arange(start, start + n)
    sc = world.sample(seeds, size)
    out = world.render(sc)
    comp, masks, boxes = out["composite"], out["masks"], out["boxes"]
    colours, shapes, sizes = world.spec["colour_order"], world.shapes, world.spec["size_order"]
    dest = OUT / "fixtures" / "test-scenes"
    dest.mkdir(parents=True, exist_ok=True)
    truth = []
    for b in range(n):
        arr = (comp[b].clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
        name = f"scene-{int(seeds[b])}.png"
        Image.fromarray(arr).save(dest / name, optimize=True)
        objs = []
        above = torch.zeros(size, size)
        for j in reversed(range(MAX_OBJECTS)):  # front to back, to measure what is visible
            if not bool(sc.obj_active[b, j]):
                continue
            m = masks[b, 1 + j]
            area = float(m.sum())
            visible = float((m * (1 - above)).sum()) / max(area, 1e-6)
            above = torch.maximum(above, m)
            objs.append({
                "colour": colours[int(sc.obj_colour[b, j])],
                "shape": shapes[int(sc.obj_shape[b, j])],
                "size": sizes[int(sc.obj_size[b, j])],
                "box": [round(float(v), 2) for v in boxes[b, 1 + j].tolist()],
                "visible": round(visible, 3),
                "stroke": bool(sc.obj_stroke[b, j]),
                "opacity": round(float(sc.obj_opacity[b, j]), 3),
            })
        truth.append({"file": name, "seed": int(seeds[b]), "objects": objs})
    caps = world.captions(sc)
    for t, c in zip(truth, caps):
        t["caption"] = c
    return truth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words-only", action="store_true", help="write only word-templates.json")
    args = ap.parse_args()
    torch.set_num_threads(2)
    world = World.load()
    (OUT / "word-templates.json").write_text(json.dumps(word_templates(world)))
    if args.words_only:
        print(f"wrote word templates to {OUT}")
        return
    (OUT / "shape-templates.json").write_text(json.dumps(shape_templates(world)))
    truth = test_scenes(world, 120)
    (OUT / "fixtures" / "test-scenes" / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"wrote shape templates and {len(truth)} test scenes to {OUT}")
    write_captions()


def test_captions(world: World, total: int = 500, first_seed_offset: int = 5000) -> list:
    """Held-out captions (test split) with 1, 2 and 3 objects, for judging generations."""
    start = world.spec["splits"]["test"][0] + first_seed_offset
    want = {n: total // 3 + (1 if n <= total % 3 else 0) for n in (1, 2, 3)}
    out, seed = [], start
    while any(want.values()):
        seeds = torch.arange(seed, seed + 256)
        seed += 256
        sc = world.sample(seeds, 128)
        caps = world.captions(sc)
        colours, shapes, sizes = world.spec["colour_order"], world.shapes, world.spec["size_order"]
        for b in range(sc.batch):
            n = int(sc.obj_active[b].sum())
            if want.get(n, 0) <= 0:
                continue
            want[n] -= 1
            objs = [{"colour": colours[int(sc.obj_colour[b, j])], "shape": shapes[int(sc.obj_shape[b, j])],
                     "size": sizes[int(sc.obj_size[b, j])]} for j in range(MAX_OBJECTS) if bool(sc.obj_active[b, j])]
            out.append({"seed": int(seeds[b]), "caption": caps[b], "objects": objs})
    return out


def write_caption_scenes(world: World, dest: Path, size: int = 128) -> int:
    """The true composite of every held-out caption's scene (its seed), as PNG."""
    caps = json.loads((OUT / "fixtures" / "test-captions.json").read_text())
    dest.mkdir(parents=True, exist_ok=True)
    for i in range(0, len(caps), 64):
        seeds = torch.tensor([c["seed"] for c in caps[i:i + 64]])
        sc = world.sample(seeds, size)
        comp = world.render(sc, layers=False)["composite"]
        for c, img, cap in zip(caps[i:i + 64], comp, world.captions(sc)):
            assert cap == c["caption"], f"scene {c['seed']} no longer matches its caption"
            arr = (img.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
            Image.fromarray(arr).save(dest / f"scene-{c['seed']}.png", optimize=True)
    return len(caps)


def write_captions():
    world = World.load()
    caps = test_captions(world)
    (OUT / "fixtures" / "test-captions.json").write_text(json.dumps(caps, indent=0))
    print(f"wrote {len(caps)} held-out captions")
    n = write_caption_scenes(world, OUT / "fixtures" / "caption-scenes")
    print(f"wrote {n} caption scenes")


if __name__ == "__main__":
    main()

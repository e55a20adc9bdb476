"""Placement data from the Lamina world (TopNet, issue 14).

One sample = a world scene with one object taken out:

- background: the scene rendered without that object (sRGB 0-1, [3, 128, 128])
- object: that object's RGBA layer (premultiplied, drop shadow included), cropped to its
  alpha box (alpha >= 0.5), fitted into a 32 x 32 canvas (aspect kept, bottom-centre),
  plus its box size in fractions of the background side (w, h)
- volume: the exact placement-plausibility volume [S, G, G] (bool) from
  `World.plausibility_volume`: cell (s, i, j) is plausible when the object, scaled by
  SCALES[s] (relative to its current size) with the bottom-centre of its box at the cell
  centre ((j + 0.5) / G, (i + 0.5) / G), obeys world.json `rules.plausibility`.

The scale axis is relative to the object's *current* size (what an editor knows), so the
world's absolute scale for bin s is SCALES[s] * extent / size-class extent.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace

import torch
import torch.nn.functional as F

from .world import MAX_OBJECTS, Scenes, World, uniforms

BG = 128  # network input side (backgrounds are resized to BG x BG)
OBJ = 32  # object canvas side
GRID = 64  # heatmap side
N_SCALES = 11
SCALES = [2.0 ** (-1 + 2 * k / (N_SCALES - 1)) for k in range(N_SCALES)]  # 0.5 .. 2, log-spaced
ALPHA_BOX = 0.5  # an object's box = bounding box of alpha >= this
S_PICK = 9000  # RNG slot: which object is taken out


def slice_scenes(sc: Scenes, idx) -> Scenes:
    out = {}
    for f in fields(sc):
        v = getattr(sc, f.name)
        out[f.name] = v[idx] if torch.is_tensor(v) and v.dim() > 0 and v.shape[0] == sc.batch else v
    return replace(sc, **out)


def alpha_box(alpha: torch.Tensor):
    """(x0, y0, x1, y1) in pixels (exclusive end) of alpha >= ALPHA_BOX, falling back to
    alpha > 0 for objects drawn entirely below it; None when the alpha is empty."""
    m = alpha >= ALPHA_BOX
    if not m.any():
        m = alpha > 0
        if not m.any():
            return None
    rows = m.any(1).nonzero().squeeze(1)
    cols = m.any(0).nonzero().squeeze(1)
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def object_canvas(rgba: torch.Tensor, bg_w: int, bg_h: int):
    """An object's premultiplied RGBA [4, h, w] (any size) -> (canvas [4, OBJ, OBJ], size [2]
    = box w / bg_w, box h / bg_h, box (x0, y0, x1, y1) in the object's pixels). Same
    algorithm as main/engine/pipelines/placement/object-input.ts."""
    box = alpha_box(rgba[3])
    if box is None:
        raise ValueError("object has an empty alpha")
    x0, y0, x1, y1 = box
    crop = rgba[:, y0:y1, x0:x1]
    h, w = crop.shape[1:]
    k = OBJ / max(w, h)
    nw, nh = max(1, round(w * k)), max(1, round(h * k))
    small = F.interpolate(crop[None], size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)[0]
    canvas = torch.zeros(4, OBJ, OBJ)
    ox = (OBJ - nw) // 2
    canvas[:, OBJ - nh:, ox:ox + nw] = small
    return canvas.clamp(0, 1), torch.tensor([w / bg_w, h / bg_h]), box


def make_samples(world: World, seeds, size: int = BG):
    """Samples for world seeds: dict of background [B,3,size,size], object [B,4,OBJ,OBJ],
    object_size [B,2], volume [B,S,GRID,GRID] bool, true (s, i, j) cell nearest the
    original placement [B,3], plus scene fields for evaluation (removed object slot,
    its extent ratio)."""
    seeds = torch.as_tensor(seeds, dtype=torch.int64)
    sc = world.sample(seeds, size)
    B = sc.batch
    ok = world.is_plausible(sc)  # take out an object whose true placement is plausible
    ok = torch.where(ok.any(1, keepdim=True), ok, sc.obj_active)
    n = ok.sum(1)
    u = uniforms(seeds, [S_PICK])[:, 0]
    k = (u * n).long().clamp(max=n - 1)
    rank = ok.long().cumsum(1) - 1
    pick = ((rank == k[:, None]) & ok).long().argmax(1)  # [B]
    ar = torch.arange(B)
    full = world.render(sc, layers="dense")
    layers = full["layers"]  # [B, 9, 4, S, S]
    active = sc.obj_active.clone()
    active[ar, pick] = False
    bg = world.render(replace(sc, obj_active=active), layers=False)["composite"]
    objects, sizes, true = [], [], []
    dmin = world.rules["depth_scale"]["depth_min"]
    vols = []
    grid_sc = replace(sc, size=GRID)
    for b in range(B):
        j = int(pick[b])
        canvas, osize, _ = object_canvas(layers[b, 1 + j], size, size)
        objects.append(canvas)
        sizes.append(osize)
        x0, y0, x1, y1 = sc.obj_box[b, j].tolist()
        base = float(sc.obj_base[b, j])
        ratio = (x1 - x0) / base  # current extent / size-class extent
        one = slice_scenes(grid_sc, slice(b, b + 1))
        vols.append(world.plausibility_volume(one, base, [s * ratio for s in SCALES])[0])
        xc, yb = (x0 + x1) / 2, y1
        true.append([N_SCALES // 2, min(GRID - 1, int(yb * GRID - 1e-6)), min(GRID - 1, int(xc * GRID))])
    del dmin
    return {
        "background": bg.clamp(0, 1),
        "object": torch.stack(objects),
        "object_size": torch.stack(sizes),
        "volume": torch.stack(vols),
        "true": torch.tensor(true),
        "pick": pick,
        "scenes": sc,
    }


def to_uint8(x):
    return (x.clamp(0, 1) * 255).round().to(torch.uint8)


def build_cache(world: World, seeds, chunk=64, log=print):
    """Samples as compact tensors (uint8 images, packed volume) for training."""
    parts = {k: [] for k in ("background", "object", "object_size", "volume")}
    seeds = list(seeds)
    for i in range(0, len(seeds), chunk):
        s = make_samples(world, seeds[i:i + chunk])
        parts["background"].append(to_uint8(s["background"]))
        parts["object"].append(to_uint8(s["object"]))
        parts["object_size"].append(s["object_size"])
        parts["volume"].append(s["volume"])
        if log and (i // chunk) % 20 == 0:
            log(f"data {i + chunk}/{len(seeds)}")
    return {k: torch.cat(v) for k, v in parts.items()}


def flip_batch(batch, mask):
    """Horizontal flip of the samples where mask: the world's rules are mirror-symmetric,
    and pixel centres map onto pixel centres, so the volume flips exactly."""
    out = dict(batch)
    for k, d in (("background", -1), ("object", -1), ("volume", -1)):
        v = batch[k]
        out[k] = torch.where(mask.view(-1, *([1] * (v.dim() - 1))), v.flip(d), v)
    return out


def log_scale_index(scale: float) -> float:
    return (math.log2(scale) + 1) * (N_SCALES - 1) / 2


__all__ = ["BG", "OBJ", "GRID", "SCALES", "N_SCALES", "make_samples", "build_cache", "object_canvas", "MAX_OBJECTS"]

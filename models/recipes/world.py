"""The Lamina world: batched, seed-deterministic scene sampling and rendering in torch.

A scene is a pure function of (seed, world.json, image size). Sampling draws every
random number from a counter-based hash of (seed, slot), so a scene does not depend on
its batch or device; rendering is plain tensor code (same on CPU and CUDA).

    world = World.load()                       # reads models/lamina-tiny/world.json
    scenes = world.sample(seeds, size=128)      # geometry, attributes, captions
    out = world.render(scenes)                  # composite, layers, masks, boxes

Run `python -m models.recipes.world --bench` for the throughput figure and
`python -m models.recipes.world --grid out.png` for a sample sheet.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from . import sdf as sdf_lib
from .glyphs import WordAtlas
from .world_render import Renderer

REPO = Path(__file__).resolve().parents[2]
WORLD_JSON = REPO / "models" / "lamina-tiny" / "world.json"
MAX_OBJECTS = 6
MAX_WORDS = 2
MAX_LAYERS = 1 + MAX_OBJECTS + MAX_WORDS  # background, objects, words (z-order)
KIND_EMPTY, KIND_BACKGROUND, KIND_OBJECT, KIND_TEXT = -1, 0, 1, 2

_M32 = 0xFFFFFFFF


def _lowbias32(x: torch.Tensor) -> torch.Tensor:
    x = x & _M32
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & _M32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & _M32
    return x ^ (x >> 16)


def uniforms(seeds: torch.Tensor, slots) -> torch.Tensor:
    """u(seed, slot) in [0, 1): [B] seeds x [S] slots -> [B, S] (see world.json rng)."""
    slots = torch.as_tensor(slots, dtype=torch.int64, device=seeds.device).reshape(1, -1)
    h = _lowbias32(seeds.to(torch.int64).reshape(-1, 1))
    h = _lowbias32(h ^ ((slots * 0x9E3779B9) & _M32))
    return h.to(torch.float64).div(2.0**32).to(torch.float32)


def _pick(u: torch.Tensor, weights) -> torch.Tensor:
    """Categorical draw from uniforms u with the given weights."""
    w = torch.as_tensor(weights, dtype=torch.float32, device=u.device)
    cdf = torch.cumsum(w / w.sum(), 0)[:-1]
    return (u[..., None] >= cdf).sum(-1)


def _lerp(lo_hi, u):
    return lo_hi[0] + (lo_hi[1] - lo_hi[0]) * u


# RNG slot layout (stable: changing it changes every scene).
S_BG_COLOUR, S_BG_KIND, S_LINES, S_SHELF, S_GROUND_Y, S_SHELF_Y, S_SHELF_W, S_SHELF_X = range(8)
S_PERIOD, S_FLIP, S_NWORDS, S_NOBJ, S_TEXT_COLOUR = range(8, 13)
S_WORD = 100  # + 100*w + field; candidates at +20 + 2*k
S_OBJ = 1000  # + 200*j + field; candidates at +40 + 4*k


def _all_slots(K):
    slots = list(range(16))
    for w in range(2):
        base = S_WORD + 100 * w
        slots += [base, base + 1] + [base + 20 + i for i in range(2 * K)]
    for j in range(6):
        base = S_OBJ + 200 * j
        slots += list(range(base, base + 8)) + [base + 40 + i for i in range(4 * K)]
    return slots


class Draws:
    """All of a batch's uniforms, hashed in one pass; call with a list of slots."""

    def __init__(self, seeds, slots):
        self.col = {s: i for i, s in enumerate(slots)}
        self.u = uniforms(seeds, slots)

    def __call__(self, slots):
        cols = [self.col[s] for s in slots]
        lo = cols[0]
        if cols == list(range(lo, lo + len(cols))):
            return self.u[:, lo:lo + len(cols)]
        return self.u[:, cols]


@dataclass
class Scenes:
    """Sampled scene parameters; geometry in fractions of the image side."""

    seeds: torch.Tensor
    size: int
    bg_colour: torch.Tensor  # [B] colour id
    bg_kind: torch.Tensor  # [B] background kind id
    tint: torch.Tensor  # [B, 3] secondary background colour (0-1)
    period: torch.Tensor  # [B] pattern period in pixels (int)
    flip: torch.Tensor  # [B] gradient direction (bool)
    has_lines: torch.Tensor  # [B] bool
    ground_y: torch.Tensor  # [B]
    has_shelf: torch.Tensor  # [B] bool
    shelf: torch.Tensor  # [B, 3] (y, x0, x1)
    obj_active: torch.Tensor  # [B, 6] bool, slot order = z-order
    obj_shape: torch.Tensor  # [B, 6]
    obj_colour: torch.Tensor  # [B, 6]
    obj_size: torch.Tensor  # [B, 6] size class id
    obj_base: torch.Tensor  # [B, 6] size-class extent at depth scale 1
    obj_box: torch.Tensor  # [B, 6, 4] square box (x0, y0, x1, y1)
    obj_support: torch.Tensor  # [B, 6] 0 free, 1 ground, 2 shelf
    obj_stroke: torch.Tensor  # [B, 6] bool
    obj_opacity: torch.Tensor  # [B, 6]
    obj_shadow: torch.Tensor  # [B, 6] bool
    word_active: torch.Tensor  # [B, 2] bool
    word_id: torch.Tensor  # [B, 2]
    word_hclass: torch.Tensor  # [B, 2] height class
    word_box: torch.Tensor  # [B, 2, 4]
    text_colour: torch.Tensor  # [B, 3]

    @property
    def batch(self) -> int:
        return self.seeds.shape[0]


class World:
    def __init__(self, spec: dict, device="cpu"):
        self.spec = spec
        self.device = torch.device(device)
        self.rules = spec["rules"]
        pal = [spec["colours"][c] for c in spec["colour_order"]]
        self.palette = torch.tensor(pal, dtype=torch.float32, device=self.device) / 255.0
        self.shapes = spec["shapes"]
        self.size_ranges = torch.tensor(
            [spec["sizes"][s] for s in spec["size_order"]], dtype=torch.float32, device=self.device
        )
        box = [sdf_lib.SHAPE_BOX[s] for s in self.shapes]
        self.shape_box = torch.tensor(box, dtype=torch.float32, device=self.device)
        self.font_path = REPO / spec["fonts"]["word_font"]
        self._atlases: dict[int, WordAtlas] = {}
        self._renderers: dict[int, Renderer] = {}
        self.vocab = {t: i for i, t in enumerate(spec["vocab"])}

    @classmethod
    def load(cls, path=WORLD_JSON, device="cpu") -> World:
        return cls(json.loads(Path(path).read_text()), device)

    def atlas(self, size: int) -> WordAtlas:
        if size not in self._atlases:
            heights = [max(4, round(f * size)) for f in self.spec["fonts"]["word_height_fractions"]]
            self._atlases[size] = WordAtlas(self.font_path, self.spec["words"], heights, self.device)
        return self._atlases[size]

    # ------------------------------------------------------------------ sampling
    def sample(self, seeds, size: int = 128) -> Scenes:
        r = self.rules
        seeds = torch.as_tensor(seeds, dtype=torch.int64, device=self.device).reshape(-1)
        B, dev = seeds.shape[0], self.device
        rng = Draws(seeds, _all_slots(r["placement_candidates"]))
        u = rng(range(16))
        n_col = len(self.spec["colour_order"])

        bg_colour = (u[:, S_BG_COLOUR] * n_col).long().clamp(max=n_col - 1)
        bg_kind = _pick(u[:, S_BG_KIND], r["background_kind_weights"])
        base = self.palette[bg_colour]
        lum = (base * torch.tensor([0.299, 0.587, 0.114], device=dev)).sum(1, keepdim=True)
        towards = torch.where(lum > 0.8, torch.zeros_like(base), torch.ones_like(base))
        tint = base + (towards - base) * r["tint_mix"] * torch.where(lum > 0.8, 0.35, 1.0)
        period = (_lerp(r["pattern_period_range"], u[:, S_PERIOD]) * size / 2).round().clamp(min=2) * 2
        flip = u[:, S_FLIP] < 0.5
        has_lines = u[:, S_LINES] < r["p_support_lines"]
        has_shelf = has_lines & (u[:, S_SHELF] < r["p_shelf_given_lines"])
        ground_y = _lerp(r["ground_y_range"], u[:, S_GROUND_Y])
        shelf_w = _lerp(r["shelf_width_range"], u[:, S_SHELF_W])
        shelf_x0 = 0.03 + (0.94 - shelf_w) * u[:, S_SHELF_X]
        shelf = torch.stack([_lerp(r["shelf_y_range"], u[:, S_SHELF_Y]), shelf_x0, shelf_x0 + shelf_w], 1)
        order = self.spec["colour_order"]
        dark, light = self.palette[order.index("black")], self.palette[order.index("white")]
        text_colour = torch.where(lum > 0.55, dark, light).expand(B, 3)  # words contrast with the background

        words = self._sample_words(rng, B, size, u[:, S_NWORDS])
        objs = self._sample_objects(rng, B, u[:, S_NOBJ], bg_colour, has_lines, ground_y, has_shelf, shelf, words)
        return Scenes(
            seeds=seeds, size=size, bg_colour=bg_colour, bg_kind=bg_kind, tint=tint, period=period,
            flip=flip, has_lines=has_lines, ground_y=ground_y, has_shelf=has_shelf, shelf=shelf,
            text_colour=text_colour.contiguous(), **objs, **words,
        )

    def simplify(self, sc: Scenes) -> Scenes:
        """The same scenes reduced to their first object on a plain (solid, line-free)
        background without words: the curriculum's first phase (train.curriculum_seconds)."""
        first = sc.obj_active & (sc.obj_active.long().cumsum(1) == 1)
        return replace(sc, obj_active=first, word_active=torch.zeros_like(sc.word_active),
                       bg_kind=torch.zeros_like(sc.bg_kind), has_lines=torch.zeros_like(sc.has_lines),
                       has_shelf=torch.zeros_like(sc.has_shelf), obj_support=torch.zeros_like(sc.obj_support))

    def _sample_words(self, rng, B, size, u_n):
        r, dev = self.rules, self.device
        atlas = self.atlas(size)
        n_words = _pick(u_n, r["word_count_weights"])
        nw, nh = len(self.spec["words"]), len(atlas.heights)
        K = r["placement_candidates"]
        band, clear = r["word_band_y_range"], r["text_clearance"]
        active = torch.zeros(B, MAX_WORDS, dtype=torch.bool, device=dev)
        word_id = torch.zeros(B, MAX_WORDS, dtype=torch.long, device=dev)
        hclass = torch.zeros(B, MAX_WORDS, dtype=torch.long, device=dev)
        boxes = torch.zeros(B, MAX_WORDS, 4, device=dev)
        for w in range(MAX_WORDS):
            base = S_WORD + 100 * w
            uf = rng([base, base + 1])
            wid = (uf[:, 0] * nw).long().clamp(max=nw - 1)
            hc = (uf[:, 1] * nh).long().clamp(max=nh - 1)
            ww = atlas.widths[wid, hc] / size  # [B]
            hh = atlas.box_heights[hc] / size
            uc = rng([base + 20 + 2 * k + c for k in range(K) for c in range(2)]).reshape(B, K, 2)
            x0 = 0.03 + (0.94 - ww[:, None]).clamp(min=0) * uc[..., 0]
            y0 = band[0] + (band[1] - band[0] - hh[:, None]).clamp(min=0) * uc[..., 1]
            cand = torch.stack([x0, y0, x0 + ww[:, None], y0 + hh[:, None]], -1)  # [B, K, 4]
            ok = torch.ones(B, K, dtype=torch.bool, device=dev)
            for p in range(w):
                grown = _grow(boxes[:, p], clear)[:, None]
                ok &= ~(_intersects(cand, grown) & active[:, p, None])
            first = _first_true(ok)
            found = ok.any(1)
            active[:, w] = (n_words > w) & found
            word_id[:, w], hclass[:, w] = wid, hc
            boxes[:, w] = cand[torch.arange(B, device=dev), first]
        return dict(word_active=active, word_id=word_id, word_hclass=hclass, word_box=boxes)

    def _sample_objects(self, rng, B, u_n, bg_colour, has_lines, ground_y, has_shelf, shelf, words):
        r, dev = self.rules, self.device
        K = r["placement_candidates"]
        n_obj = _pick(u_n, r["object_count_weights"]) + 1
        n_col, n_shape, n_size = len(self.spec["colour_order"]), len(self.shapes), len(self.size_ranges)
        dmin = r["depth_scale"]["depth_min"]
        out = {k: [] for k in ("obj_active", "obj_shape", "obj_colour", "obj_size", "obj_base", "obj_box",
                               "obj_support", "obj_stroke", "obj_opacity", "obj_shadow")}
        text_boxes = _grow(words["word_box"], r["text_clearance"])  # [B, 2, 4]
        prev_boxes, prev_active = [], []
        ar = torch.arange(B, device=dev)
        for j in range(MAX_OBJECTS):
            base = S_OBJ + 200 * j
            uf = rng(range(base, base + 8))
            shape = (uf[:, 0] * n_shape).long().clamp(max=n_shape - 1)
            colour = (uf[:, 1] * (n_col - 1)).long().clamp(max=n_col - 2)
            colour = colour + (colour >= bg_colour).long()  # never the background colour
            size_id = (uf[:, 2] * n_size).long().clamp(max=n_size - 1)
            lo, hi = self.size_ranges[size_id, 0], self.size_ranges[size_id, 1]
            ext0 = lo + (hi - lo) * uf[:, 3]
            stroke = uf[:, 4] < r["p_stroke"]
            translucent = uf[:, 5] < r["p_translucent"]
            opacity = torch.where(translucent, _lerp(r["translucent_opacity_range"], uf[:, 6]), torch.ones_like(ext0))
            shadow = uf[:, 7] < r["p_shadow"]

            uc = rng([base + 40 + 4 * k + c for k in range(K) for c in range(4)]).reshape(B, K, 4)
            on_shelf = has_shelf[:, None] & (uc[..., 0] < 0.4)
            line_y = torch.where(on_shelf, shelf[:, None, 0], ground_y[:, None])
            scale = dmin + (1 - dmin) * line_y
            ext_line = ext0[:, None] * scale
            half = ext_line / 2
            x_ground = half + (1 - 2 * half).clamp(min=0) * uc[..., 1]
            x_shelf = shelf[:, None, 1] + (shelf[:, None, 2] - shelf[:, None, 1]) * uc[..., 1]
            xc_line = torch.where(on_shelf, x_shelf, x_ground)
            e_free = ext0[:, None].expand(B, K)
            xc_free = e_free / 2 + (1 - e_free).clamp(min=0) * uc[..., 2]
            yb_free = e_free + (1 - e_free).clamp(min=0) * uc[..., 3]
            lines = has_lines[:, None]
            ext = torch.where(lines, ext_line, e_free)
            xc = torch.where(lines, xc_line, xc_free)
            yb = torch.where(lines, line_y, yb_free)
            cand = torch.stack([xc - ext / 2, yb - ext, xc + ext / 2, yb], -1)  # [B, K, 4]
            ok = (cand[..., 0] >= 0) & (cand[..., 1] >= 0) & (cand[..., 2] <= 1) & (cand[..., 3] <= 1)
            for t in range(MAX_WORDS):
                ok &= ~(_intersects(cand, text_boxes[:, t, None]) & words["word_active"][:, t, None])
            for pb, pa in zip(prev_boxes, prev_active):
                ok &= ~((_overlap_min(cand, pb[:, None]) > r["max_pair_overlap"]) & pa[:, None])
            first = _first_true(ok)
            active = (n_obj > j) & ok.any(1)
            if j == 0:  # every scene shows at least one object
                active = torch.ones_like(active)
            box = cand[ar, first]
            support = torch.where(has_lines, torch.where(on_shelf[ar, first], 2, 1), 0)
            prev_boxes.append(box)
            prev_active.append(active)
            for k, v in (("obj_active", active), ("obj_shape", shape), ("obj_colour", colour), ("obj_size", size_id),
                         ("obj_base", ext0), ("obj_box", box), ("obj_support", support), ("obj_stroke", stroke),
                         ("obj_opacity", opacity), ("obj_shadow", shadow)):
                out[k].append(v)
        return {k: torch.stack(v, 1) for k, v in out.items()}

    # ------------------------------------------------------------------ rendering
    def render(self, sc: Scenes, layers="dense") -> dict:
        """Render scenes. Always: composite [B, 3, H, W] (sRGB 0-1), layer_kind [B, 9]
        (index = z-order: background, 6 object slots, 2 word slots; see KIND_*), boxes
        [B, 9, 4] (exact shape boxes, pixels). layers="crops" adds background [B, 3, H, W]
        and crops (list of world_render.LayerCrops: premultiplied RGBA + coverage mask of
        every object/word layer at integer offsets); layers="dense" (or True) also adds
        layers [B, 9, 4, H, W] premultiplied RGBA and masks [B, 9, H, W]; False: only the
        composite."""
        if sc.size not in self._renderers:
            self._renderers[sc.size] = Renderer(self, sc.size)
        out = self._renderers[sc.size].render(sc, self.atlas(sc.size), layers)
        out.update(layer_kind=self.layer_kind(sc), boxes=self.layer_boxes(sc))
        return out

    def layer_kind(self, sc: Scenes) -> torch.Tensor:
        kind = torch.full((sc.batch, MAX_LAYERS), KIND_EMPTY, dtype=torch.long, device=self.device)
        kind[:, 0] = KIND_BACKGROUND
        kind[:, 1:1 + MAX_OBJECTS][sc.obj_active] = KIND_OBJECT
        kind[:, 1 + MAX_OBJECTS:][sc.word_active] = KIND_TEXT
        return kind

    def layer_boxes(self, sc: Scenes) -> torch.Tensor:
        """Exact shape boxes in pixels (x0, y0, x1, y1); background = full frame."""
        S = sc.size
        boxes = torch.zeros(sc.batch, MAX_LAYERS, 4, device=self.device)
        boxes[:, 0] = torch.tensor([0, 0, S, S], dtype=torch.float32, device=self.device)
        sb = self.shape_box[sc.obj_shape]  # [B, 6, 2] (half_width, top)
        x0, _, x1, y1 = sc.obj_box.unbind(-1)
        cx, half = (x0 + x1) / 2, (x1 - x0) / 2
        ob = torch.stack([cx - sb[..., 0] * half, y1 - (1 + sb[..., 1]) * half, cx + sb[..., 0] * half, y1], -1)
        boxes[:, 1:1 + MAX_OBJECTS] = ob * S * sc.obj_active[..., None]
        boxes[:, 1 + MAX_OBJECTS:] = sc.word_box * S * sc.word_active[..., None]
        return boxes

    # ------------------------------------------------------------------ captions
    def phrases(self, sc: Scenes) -> list[list[str]]:
        """Per scene, the phrase of every active object in z-order ("large red star")."""
        shapes, colours, sizes = self.shapes, self.spec["colour_order"], self.spec["size_order"]
        act, sh, co, si = (t.tolist() for t in (sc.obj_active, sc.obj_shape, sc.obj_colour, sc.obj_size))
        return [[f"{sizes[si[b][j]]} {colours[co[b][j]]} {shapes[sh[b][j]]}" for j in range(MAX_OBJECTS) if act[b][j]]
                for b in range(sc.batch)]

    def captions(self, sc: Scenes) -> list[str]:
        colours, kinds, words = self.spec["colour_order"], self.spec["background_kinds"], self.spec["words"]
        bgc, bgk = sc.bg_colour.tolist(), sc.bg_kind.tolist()
        wa, wi = sc.word_active.tolist(), sc.word_id.tolist()
        out = []
        for b, phr in enumerate(self.phrases(sc)):
            parts = [" and ".join("a " + p for p in phr)]
            kind = kinds[bgk[b]]
            parts.append(f"on a {colours[bgc[b]]} background" if kind == "solid"
                         else f"on a {colours[bgc[b]]} {kind} background")
            ws = [words[wi[b][w]] for w in range(MAX_WORDS) if wa[b][w]]
            if len(ws) == 1:
                parts.append(f"with the word {ws[0]}")
            elif len(ws) == 2:
                parts.append(f"with the words {ws[0]} and {ws[1]}")
            out.append(" ".join(parts))
        return out

    # ------------------------------------------------------------------ plausibility
    def plausibility_volume(self, sc: Scenes, base_extent, scales) -> torch.Tensor:
        """Exact placement-plausibility volume [B, len(scales), S, S] (bool) for inserting
        an object whose size class extent is base_extent (fraction, [B] or float) drawn at
        extent base_extent * scale with its bottom-centre at each pixel centre."""
        r, S, B, dev = self.rules, sc.size, sc.batch, self.device
        pr = r["plausibility"]
        dmin = r["depth_scale"]["depth_min"]
        base = torch.as_tensor(base_extent, dtype=torch.float32, device=dev).expand(B).view(B, 1, 1, 1)
        sc_t = torch.as_tensor(scales, dtype=torch.float32, device=dev).view(1, -1, 1, 1)
        pix = (torch.arange(S, device=dev, dtype=torch.float32) + 0.5) / S
        x, y = pix.view(1, 1, 1, S), pix.view(1, 1, S, 1)
        ext = base * sc_t  # [B, n, 1, 1]
        x0, x1, y0 = x - ext / 2, x + ext / 2, y - ext
        inside = (x0 >= 0) & (x1 <= 1) & (y0 >= 0) & (y <= 1)
        ok = inside
        tb = _grow(sc.word_box, r["text_clearance"])
        for t in range(MAX_WORDS):
            bx = tb[:, t].view(B, 4, 1, 1, 1)
            hit = (x0 < bx[:, 2]) & (x1 > bx[:, 0]) & (y0 < bx[:, 3]) & (y > bx[:, 1])
            ok = ok & ~(hit & sc.word_active[:, t].view(B, 1, 1, 1))
        tol, stol = pr["y_tolerance"], pr["scale_tolerance"]
        depth = dmin + (1 - dmin) * y
        on_ground = (y - sc.ground_y.view(B, 1, 1, 1)).abs() <= tol
        sy, sx0, sx1 = (sc.shelf[:, i].view(B, 1, 1, 1) for i in range(3))
        on_shelf = ((y - sy).abs() <= tol) & (x >= sx0) & (x <= sx1) & sc.has_shelf.view(B, 1, 1, 1)
        line_ok = (on_ground | on_shelf) & ((sc_t / depth - 1).abs() <= stol)
        free_ok = ((sc_t - 1).abs() <= stol).expand_as(line_ok)
        lines = sc.has_lines.view(B, 1, 1, 1)
        return ok & torch.where(lines, line_ok, free_ok)

    def is_plausible(self, sc: Scenes) -> torch.Tensor:
        """[B, 6] whether each sampled object satisfies the placement rule (ignoring the
        other objects, like the volume)."""
        r = self.rules
        pr, dmin = r["plausibility"], r["depth_scale"]["depth_min"]
        x0, y0, x1, y1 = sc.obj_box.unbind(-1)
        ext, xc = x1 - x0, (x0 + x1) / 2
        inside = (x0 >= -1e-6) & (y0 >= -1e-6) & (x1 <= 1 + 1e-6) & (y1 <= 1 + 1e-6)
        tb = _grow(sc.word_box, r["text_clearance"])
        ok = inside
        for t in range(MAX_WORDS):
            ok &= ~(_intersects(sc.obj_box, tb[:, t, None]) & sc.word_active[:, t, None])
        depth = dmin + (1 - dmin) * y1
        on_ground = (y1 - sc.ground_y[:, None]).abs() <= pr["y_tolerance"]
        on_shelf = ((y1 - sc.shelf[:, None, 0]).abs() <= pr["y_tolerance"]) & (xc >= sc.shelf[:, None, 1]) \
            & (xc <= sc.shelf[:, None, 2]) & sc.has_shelf[:, None]
        scale_line = ((ext / (sc.obj_base * depth)) - 1).abs() <= pr["scale_tolerance"]
        scale_free = ((ext / sc.obj_base) - 1).abs() <= pr["scale_tolerance"]
        rule = torch.where(sc.has_lines[:, None], (on_ground | on_shelf) & scale_line, scale_free)
        return ok & rule & sc.obj_active


def _grow(box, m):
    return torch.cat([box[..., :2] - m, box[..., 2:] + m], -1)


def _intersects(a, b):
    return (a[..., 0] < b[..., 2]) & (a[..., 2] > b[..., 0]) & (a[..., 1] < b[..., 3]) & (a[..., 3] > b[..., 1])


def _overlap_min(a, b):
    iw = (torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])).clamp(min=0)
    ih = (torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])).clamp(min=0)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return iw * ih / torch.minimum(area_a, area_b).clamp(min=1e-9)


def _first_true(ok):
    """Index of the first True along dim 1 (0 when none)."""
    return ok.to(torch.uint8).argmax(1)


# ---------------------------------------------------------------------- CLI
def bench(world: World, size=128, batch=128, batches=8, repeats=10, layers="crops"):
    """Scenes per second (sample + render) over `batches` batches, best of `repeats`
    (the CPU is shared, so the best run is the least disturbed one)."""
    world.render(world.sample(torch.arange(batch), size), layers=layers)  # warm-up, atlas
    best = float("inf")
    for r in range(repeats):
        t0 = time.perf_counter()
        for i in range(batches):
            sc = world.sample(torch.arange(batch) + (r * batches + i + 1) * batch, size)
            world.render(sc, layers=layers)
        best = min(best, time.perf_counter() - t0)
    return batch * batches / best


def save_grid(world: World, path, seeds, size=128, cols=8, with_layers=True):
    from PIL import Image

    sc = world.sample(seeds, size)
    out = world.render(sc)
    comp = out["composite"]
    rows = [comp]
    if with_layers:  # second row per scene: its layers over a checkerboard
        lay = out["layers"]
        pix = torch.arange(size)
        chk = (((pix.view(-1, 1) // 8) + (pix.view(1, -1) // 8)) % 2).float() * 0.25 + 0.6
        for li in (1, 2, 7):
            a = lay[:, li, 3:4]
            rows.append(lay[:, li, :3] + chk * (1 - a))
    n = comp.shape[0]
    tiles = torch.stack(rows, 1)  # [n, R, 3, S, S]
    R = tiles.shape[1]
    grid_rows = []
    for r0 in range(0, n, cols):
        chunk = tiles[r0:r0 + cols]
        for r in range(R):
            grid_rows.append(torch.cat(list(chunk[:, r]), -1))
    img = torch.cat(grid_rows, -2)
    arr = (img.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    Image.fromarray(arr).save(path)
    return world.captions(sc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--grid", type=str, default=None)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--split", default="test")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    world = World.load(device=args.device)
    if args.grid:
        start = world.spec["splits"][args.split][0]
        caps = save_grid(world, args.grid, torch.arange(start, start + 16), args.size)
        for i, c in enumerate(caps):
            print(f"{i:2d} {c}")
    if args.bench:
        for layers, what in (("crops", "composite+layers (layer crops)"), (False, "composite only"),
                             ("dense", "composite+layers (dense [B,9,4,H,W])")):
            rate = bench(world, args.size, args.batch, layers=layers)
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
            print(f"{what}: {rate:.0f} scenes/s at {args.size}x{args.size} (batch {args.batch}, {args.threads} "
                  f"threads, {args.device}, load average {load:.1f})")


if __name__ == "__main__":
    main()

"""Fast batched renderer for Lamina world scenes (used by world.World.render).

Work is done only where a layer can be non-zero: each object is rendered in a square
crop (one crop size per size class, big enough for the shape, its stroke and its
shadow) and each word in a tile of its height class. Layers therefore come out as
crops with integer offsets (like PSD layer bounds); `dense_layers` expands them.
Drop shadows use the object's own distance field shifted by a whole-pixel offset.
Backgrounds come from a per-size table of pattern maps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from . import sdf as sdf_lib


@dataclass
class LayerCrops:
    """Layer content of n (scene, layer) pairs: rgba is premultiplied [n, 4, h, w],
    mask the shape coverage [n, h, w]; (x0, y0) is the crop's top-left pixel."""

    batch_idx: torch.Tensor
    layer_idx: torch.Tensor
    x0: torch.Tensor
    y0: torch.Tensor
    rgba: torch.Tensor
    mask: torch.Tensor


def _flat_index(b, x0, y0, h, w, S, channels):
    """Indices into a [B, channels, S, S] tensor's flat view for crops [n, channels, h, w]."""
    dev = b.device
    iy = torch.arange(h, device=dev).view(1, 1, h, 1)
    ix = torch.arange(w, device=dev).view(1, 1, 1, w)
    c = torch.arange(channels, device=dev).view(1, channels, 1, 1)
    return ((b.view(-1, 1, 1, 1) * channels + c) * S + (y0.view(-1, 1, 1, 1) + iy)) * S + (x0.view(-1, 1, 1, 1) + ix)


def blend_crops(canvas, b, x0, y0, prem, alpha, idx=None):
    """canvas [B, 3, S, S] <- crop 'over' canvas (premultiplied), in place. Each scene
    may appear at most once in b."""
    S = canvas.shape[-1]
    n, _, h, w = prem.shape
    if n == 0:
        return
    if idx is None:
        idx = _flat_index(b, x0, y0, h, w, S, 3)
    region = canvas.take(idx)
    canvas.put_(idx, torch.addcmul(prem, region, 1 - alpha))


def dense_layers(B, L, S, background, crops: list[LayerCrops]):
    """-> layers [B, L, 4, S, S] premultiplied, masks [B, L, S, S]."""
    dev = background.device
    layers = torch.zeros(B, L, 4, S, S, device=dev, dtype=background.dtype)
    masks = torch.zeros(B, L, S, S, device=dev, dtype=background.dtype)
    layers[:, 0, :3] = background
    layers[:, 0, 3] = 1
    masks[:, 0] = 1
    for c in crops:
        n, _, h, w = c.rgba.shape
        if n == 0:
            continue
        slot = c.batch_idx * L + c.layer_idx
        layers.put_(_flat_index(slot, c.x0, c.y0, h, w, S, 4), c.rgba)
        masks.put_(_flat_index(slot, c.x0, c.y0, h, w, S, 1), c.mask[:, None])
    return layers, masks


class Renderer:
    def __init__(self, world, size: int):
        self.world, self.S = world, size
        r = world.rules
        dev = world.device
        S = size
        self.dev = dev
        # background pattern table: code -> [S, S] mix factor between colour and tint
        pr = r["pattern_period_range"]
        self.periods = list(range(int(max(2, round(pr[0] * S / 2)) * 2), int(max(2, round(pr[1] * S / 2)) * 2) + 1, 2))
        pix = torch.arange(S, device=dev, dtype=torch.float32) + 0.5
        X, Y = pix.view(1, S), pix.view(S, 1)
        maps = [torch.zeros(S, S, device=dev), (S - Y).expand(S, S) / S, Y.expand(S, S) / S]
        for p in self.periods:
            dd = torch.remainder((X + Y) * 0.70710678, p) - p / 2
            maps.append((p / 4 - dd.abs() + 0.5).clamp(0, 1))
        for p in self.periods:
            lx, ly = torch.remainder(X, p) - p / 2, torch.remainder(Y, p) - p / 2
            maps.append((p * 0.22 - torch.sqrt(lx * lx + ly * ly) + 0.5).clamp(0, 1))
        for p in self.periods:
            h = p // 2
            maps.append(((torch.div(X, h, rounding_mode="floor") + torch.div(Y, h, rounding_mode="floor")) % 2)
                        .expand(S, S).float())
        self.bg_table = torch.stack(maps)  # [codes, S, S]
        # object crops: one size per size class
        self.off = [max(1, round(o * S)) for o in r["shadow_offset"]]
        self.soft = max(1.0, r["shadow_softness"] * S)
        self.stroke = max(1.0, r["stroke_width"] * S)
        # crop buckets: an object uses the smallest crop that holds it, its stroke and shadow
        self.pad = 2 * (math.ceil(self.soft) + 2) + max(self.off)
        hi = max(world.spec["sizes"][s][1] for s in world.spec["size_order"])
        top = min(S, 2 * math.ceil((hi * S + self.pad) / 2))
        step = max(4, 2 * math.ceil(S / 32))
        self.crop = list(range(min(top, 2 * math.ceil((0.1 * S + self.pad) / 2)), top, step)) + [top]
        self.line_th = max(1.0, r["line_thickness"] * S)
        self.line_colour = torch.tensor(r["line_colour"], device=dev, dtype=torch.float32) / 255.0

    # ------------------------------------------------------------------ background
    def background(self, sc):
        np_ = len(self.periods)
        pidx = torch.bucketize(sc.period.to(torch.float32), torch.tensor(self.periods, device=self.dev,
                                                                          dtype=torch.float32))
        pidx = pidx.clamp(max=np_ - 1)
        kind = sc.bg_kind
        code = torch.where(kind == 0, 0, torch.where(kind == 1, 1 + sc.flip.long(), 3 + (kind - 2) * np_ + pidx))
        c0 = self.world.palette[sc.bg_colour]
        t = self.bg_table[code]  # [B, S, S]; code 0 (solid) is all zeros
        img = torch.addcmul(c0[:, :, None, None], (sc.tint - c0)[:, :, None, None], t[:, None])
        self._lines(img, sc)
        return img

    def _lines(self, img, sc):
        """Ground and shelf lines, drawn just below their y, only on the rows they touch."""
        S, th, dev = self.S, self.line_th, self.dev
        rows = int(math.ceil(th)) + 3
        lc = self.line_colour.view(1, 3, 1, 1)
        for which in ("ground", "shelf"):
            sel = (sc.has_lines if which == "ground" else sc.has_shelf).nonzero().squeeze(1)
            if sel.numel() == 0:
                continue
            y = (sc.ground_y if which == "ground" else sc.shelf[:, 0])[sel] * S
            r0 = (y.floor().long() - 1).clamp(0, S - rows)
            ry = r0[:, None] + torch.arange(rows, device=dev)  # [n, rows]
            a = (th / 2 - (ry.float() + 0.5 - y[:, None] - th / 2).abs() + 0.5).clamp(0, 1)[:, :, None]
            if which == "shelf":
                X = torch.arange(S, device=dev, dtype=torch.float32) + 0.5
                x0, x1 = sc.shelf[sel, 1:2] * S, sc.shelf[sel, 2:3] * S
                a = a * ((X - x0 + 0.5).clamp(0, 1) * (x1 - X + 0.5).clamp(0, 1))[:, None, :]
            else:
                a = a.expand(-1, -1, S)
            zeros = torch.zeros_like(sel)
            idx = _flat_index(sel, zeros, r0, rows, S, S, 3)
            region = img.take(idx)
            img.put_(idx, region + (lc - region) * a[:, None])

    # ------------------------------------------------------------------ objects
    def objects(self, sc):
        """Per crop bucket: LayerCrops of every active object (alpha includes shadow)."""
        w, S, dev = self.world, self.S, self.dev
        ids = sc.obj_active.reshape(-1).nonzero().squeeze(1)
        box = sc.obj_box.reshape(-1, 4)[ids] * S
        shape = sc.obj_shape.reshape(-1)[ids]
        need = box[:, 2] - box[:, 0] + self.pad
        crops = torch.tensor(self.crop, device=dev, dtype=need.dtype)
        bucket = (need[:, None] > crops).sum(1).clamp(max=len(self.crop) - 1)
        out = []
        for k, C in enumerate(self.crop):
            sel = (bucket == k).nonzero().squeeze(1)
            if sel.numel() == 0:
                continue
            sel = sel[torch.argsort(ids[sel] % 6, stable=True)]  # slot (z) order: slices per slot
            oid = ids[sel]
            n = oid.numel()
            bx = box[sel]
            half = (bx[:, 2] - bx[:, 0]) / 2
            cx, cy = (bx[:, 0] + bx[:, 2]) / 2, (bx[:, 1] + bx[:, 3]) / 2
            ox, oy = self.off
            x0 = (cx - C / 2 + ox / 2).round().long().clamp(0, S - C)
            y0 = (cy - C / 2 + oy / 2).round().long().clamp(0, S - C)
            loc = torch.arange(C, device=dev, dtype=torch.float32) + 0.5
            d = torch.empty(n, C, C, device=dev)
            shp = shape[sel]
            for s, name in enumerate(w.shapes):
                ss = (shp == s).nonzero().squeeze(1)
                if ss.numel() == 0:
                    continue
                h = half[ss].view(-1, 1, 1)
                qx = (x0[ss].view(-1, 1, 1) + loc.view(1, 1, C) - cx[ss].view(-1, 1, 1)) / h
                qy = (cy[ss].view(-1, 1, 1) - y0[ss].view(-1, 1, 1) - loc.view(1, C, 1)) / h
                d[ss] = sdf_lib.SDF[name](qx, qy) * h
            cov = (0.5 - d).clamp(0, 1)
            flat = oid
            fill = w.palette[sc.obj_colour.reshape(-1)[flat]][:, :, None, None]
            inner = torch.ones_like(d)
            st = sc.obj_stroke.reshape(-1)[flat].nonzero().squeeze(1)
            if st.numel():
                inner[st] = (0.5 - self.stroke - d[st]).clamp(0, 1)
            a_obj = cov * sc.obj_opacity.reshape(-1)[flat].view(-1, 1, 1)
            rgba = torch.empty(n, 4, C, C, device=dev)
            torch.mul(fill, (torch.addcmul(a_obj, inner, a_obj) * 0.5)[:, None], out=rgba[:, :3])
            # shadow: the same distance field moved by (ox, oy) whole pixels
            rgba[:, 3] = a_obj
            sh = sc.obj_shadow.reshape(-1)[flat].nonzero().squeeze(1)
            if sh.numel():
                a_sh = torch.zeros(sh.numel(), C, C, device=dev)
                a_sh[:, oy:, ox:] = ((0.5 - d[sh, : C - oy, : C - ox] / self.soft).clamp(0, 1)
                                     * w.rules["shadow_opacity"])
                rgba[sh, 3] = torch.addcmul(a_obj[sh], a_sh, 1 - a_obj[sh])
            out.append(LayerCrops(flat // 6, 1 + flat % 6, x0, y0, rgba, cov))
        return out

    # ------------------------------------------------------------------ words
    def words(self, sc, atlas):
        S = self.S
        out = []
        for w in range(sc.word_active.shape[1]):
            for c in range(len(atlas.heights)):
                sel = (sc.word_active[:, w] & (sc.word_hclass[:, w] == c)).nonzero().squeeze(1)
                if sel.numel() == 0:
                    continue
                th, tw = min(S, atlas.class_h[c]), min(S, atlas.class_w[c])
                x = (sc.word_box[sel, w, 0] * S).round().long()
                y = (sc.word_box[sel, w, 1] * S).round().long()
                x0, y0 = x.clamp(0, S - tw), y.clamp(0, S - th)
                a = atlas.tile(sc.word_id[sel, w], c, x - x0, y - y0, th, tw)  # [n, th, tw]
                col = sc.text_colour[sel][:, :, None, None]
                rgba = torch.cat([col * a[:, None], a[:, None]], 1)
                out.append(LayerCrops(sel, torch.full_like(sel, 7 + w), x0, y0, rgba, a))
        return out

    def render(self, sc, atlas, layers="dense"):
        bg = self.background(sc)
        comp = bg.clone() if layers else bg
        objs = self.objects(sc)
        # composite in z-order: object slots 0..5 (each crop group is sorted by slot), then words
        S = self.S
        groups = []
        for c in objs:
            C = c.rgba.shape[-1]
            bounds = [0] + torch.bincount(c.layer_idx - 1, minlength=6).cumsum(0).tolist()
            groups.append((c, bounds, _flat_index(c.batch_idx, c.x0, c.y0, C, C, S, 3)))
        for j in range(6):
            for c, bounds, idx in groups:
                lo, hi = bounds[j], bounds[j + 1]
                if hi > lo:
                    blend_crops(comp, None, None, None, c.rgba[lo:hi, :3], c.rgba[lo:hi, 3:], idx[lo:hi])
        wds = self.words(sc, atlas)
        for c in wds:
            blend_crops(comp, c.batch_idx, c.x0, c.y0, c.rgba[:, :3], c.rgba[:, 3:])
        out = {"composite": comp}
        if layers:
            out["background"] = bg
            out["crops"] = objs + wds
        if layers == "dense" or layers is True:
            out["layers"], out["masks"] = dense_layers(sc.batch, 9, self.S, bg, objs + wds)
        return out

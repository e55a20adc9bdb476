"""ART training and evaluation data from the Lamina world (issue 17).

One sample = a world scene as its exact layer stack, the way ART (arXiv 2502.18364) sees
a multi-layer image: a global caption, the full-canvas composite (the "reference" layer
ART generates with the others), the background (no objects, no words), and one
transparent layer per object / word in z-order, each complete where others hide it
(amodal: the world renders every layer on its own) and with its drop shadow. Each layer's
anonymous box is its alpha's bounding box (shadow included), snapped outward to the
transformer's token grid: the tokens ART keeps for that layer.

Token layout (the same in the recipe, the ONNX graph and main/engine/pipelines/art/):
  sequence = [composite: all G*G tokens; background: all G*G; layer 1's box tokens; ...]
  pos_index[i]   = ty * G + tx of token i on the native token grid (G = latent / patch)
  layer_index[i] = 0 composite, 1 background, 2 + k box layer k (box order = z-order)
A token is one patch of the pack latent, C * p * p values in (c, py, px) order.

Held-out layouts come from the world's test split seeds.
"""

from __future__ import annotations

import torch

from .world import MAX_LAYERS, World

ALPHA_MIN = 1.0 / 255  # a pixel belongs to a layer's box when its alpha is above this
COMPOSITE, BACKGROUND = 0, 1  # layer_index of the two full-canvas layers; box layer k -> 2 + k


def split_seeds(world: World, split: str, n: int, offset: int = 0) -> torch.Tensor:
    start = world.spec["splits"][split][0]
    return torch.arange(start + offset, start + offset + n, dtype=torch.int64)


def alpha_box(alpha: torch.Tensor) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) pixel box (exclusive end) of alpha > ALPHA_MIN, None if empty."""
    ys, xs = torch.nonzero(alpha > ALPHA_MIN, as_tuple=True)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def token_box(box, token_px: int, grid: int) -> tuple[int, int, int, int]:
    """A pixel box (x0, y0, x1, y1) snapped outward to whole tokens, clamped to the grid."""
    x0, y0, x1, y1 = box
    tx0, ty0 = max(0, int(x0 // token_px)), max(0, int(y0 // token_px))
    tx1, ty1 = min(grid, -int(-x1 // token_px)), min(grid, -int(-y1 // token_px))
    return tx0, ty0, max(tx1, tx0 + 1), max(ty1, ty0 + 1)


def layout_indices(token_boxes, grid: int, full_layers=False) -> tuple[torch.Tensor, torch.Tensor]:
    """(pos_index, layer_index) int64 [N] of the sequence for these token boxes; with
    `full_layers` every box layer keeps all G*G tokens (the full-attention baseline)."""
    allpos = torch.arange(grid * grid)
    pos, lay = [allpos, allpos], [torch.full((grid * grid,), COMPOSITE), torch.full((grid * grid,), BACKGROUND)]
    for k, (tx0, ty0, tx1, ty1) in enumerate(token_boxes):
        if full_layers:
            p = allpos
        else:
            ty, tx = torch.meshgrid(torch.arange(ty0, ty1), torch.arange(tx0, tx1), indexing="ij")
            p = (ty * grid + tx).reshape(-1)
        pos.append(p)
        lay.append(torch.full((len(p),), 2 + k))
    return torch.cat(pos).long(), torch.cat(lay).long()


def patchify(z: torch.Tensor, p: int) -> torch.Tensor:
    """[B, C, H, W] latents -> [B, (H/p)*(W/p), C*p*p] tokens (MMDiT's order)."""
    B, C, H, W = z.shape
    return z.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5).reshape(B, (H // p) * (W // p), C * p * p)


def unpatchify(tokens: torch.Tensor, C: int, p: int, grid: int) -> torch.Tensor:
    """[B, G*G, C*p*p] -> [B, C, G*p, G*p]."""
    B = tokens.shape[0]
    return tokens.reshape(B, grid, grid, C, p, p).permute(0, 3, 1, 4, 2, 5).reshape(B, C, grid * p, grid * p)


def scenes(world: World, seeds: torch.Tensor, size: int, max_boxes: int | None = None) -> list[dict]:
    """Per seed: caption, composite RGBA [4, S, S] (alpha 1), background RGBA (alpha 1),
    layers (premultiplied RGBA [4, S, S] each, z-order), boxes (pixel (x0, y0, x1, y1) each),
    phrases (the caption's object phrases, z-order; words have none)."""
    sc = world.sample(seeds, size)
    r = world.render(sc, layers="dense")
    caps, phrases = world.captions(sc), world.phrases(sc)
    out = []
    for b in range(sc.batch):
        one = torch.ones_like(r["composite"][b][:1])
        layers, boxes = [], []
        for li in range(1, MAX_LAYERS):
            if int(r["layer_kind"][b, li]) <= 0:
                continue
            box = alpha_box(r["layers"][b, li, 3])
            if box is None:
                continue
            layers.append(r["layers"][b, li])
            boxes.append(box)
        if max_boxes is not None:
            layers, boxes = layers[:max_boxes], boxes[:max_boxes]
        out.append({"seed": int(seeds[b]), "caption": caps[b], "phrases": phrases[b],
                    "composite": torch.cat([r["composite"][b], one]), "background": torch.cat([r["background"][b], one]),
                    "layers": layers, "boxes": boxes, "kinds": [int(k) for k in r["layer_kind"][b, 1:] if int(k) > 0]})
    return out


def encode_scene(s: dict, encode, p: int, grid: int, token_px: int) -> dict:
    """A scene's training sequence: tokens [N, C*p*p] (scaled pack latents), pos_index [N],
    layer_index [N]. `encode`: RGBA [B, 4, S, S] -> scaled latents [B, C, h, w]."""
    stack = torch.stack([s["composite"], s["background"], *s["layers"]])
    with torch.no_grad():
        tok = patchify(encode(stack), p)  # [L, G*G, C*p*p]
    tboxes = [token_box(b, token_px, grid) for b in s["boxes"]]
    pos, lay = layout_indices(tboxes, grid)
    return {"tokens": tok[lay, pos], "pos_index": pos, "layer_index": lay, "token_boxes": tboxes}


def collate(items: list[dict]) -> dict:
    """Pad sequences to the longest: tokens [B, N, D], pos/layer [B, N], token_mask [B, N] (1 = real)."""
    N = max(len(i["pos_index"]) for i in items)
    B, D = len(items), items[0]["tokens"].shape[-1]
    tokens = torch.zeros(B, N, D)
    pos = torch.zeros(B, N, dtype=torch.long)
    lay = torch.zeros(B, N, dtype=torch.long)
    mask = torch.zeros(B, N)
    for b, it in enumerate(items):
        n = len(it["pos_index"])
        tokens[b, :n], pos[b, :n], lay[b, :n], mask[b, :n] = it["tokens"], it["pos_index"], it["layer_index"], 1
    return {"tokens": tokens, "pos_index": pos, "layer_index": lay, "token_mask": mask}


__all__ = ["alpha_box", "token_box", "layout_indices", "patchify", "unpatchify", "scenes", "encode_scene", "collate",
           "split_seeds", "COMPOSITE", "BACKGROUND"]

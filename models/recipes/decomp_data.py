"""Decomposition data from the Lamina world (LayerDecomp, issue 16).

One sample = a world scene and one of its objects, with the exact answer:

- image: the scene's composite (sRGB 0-1, [3, S, S])
- mask: the object's visible footprint (binary [S, S]: shape coverage > 0 after the
  layers in front of it); what a user marks, without the shadow
- background: the scene rendered without that object (its shadow goes with it; the
  neighbours, words and the patterned background stay), [3, S, S]
- foreground: the object's visible RGBA layer, premultiplied [4, S, S]: the world's
  object layer (fill, stroke, opacity, and the drop shadow as semi-transparent black
  alpha) times (1 - alpha of the layers in front of it)
- shadow: the shadow area (foreground alpha > 0 outside the mask, bool [S, S])

Recomposition: foreground + (1 - foreground alpha) * background == image holds exactly
except where a layer in front of the object is partly transparent over it (an
anti-aliased edge or a translucent occluder): there the error is
a_obj * (1 - a_front) * a_front * (front colour - what is below), because a single
RGBA layer over the background cannot express "object seen through a translucent
neighbour". `recomposition_residual` measures it; `test_decomp_data.py` checks it is
zero wherever nothing translucent is in front, and small overall.

What the world offers (and so the data): shadows on ~60 % of objects (one direction,
one softness, black at 40 %), translucent objects (20 %, opacity 0.55-0.8), solid /
gradient / striped / dotted / checkered backgrounds with ground and shelf lines, 1-6
objects that may overlap (max pair overlap 0.35 of the smaller box) and 0-2 words.
What it does not: coloured or cast-perspective shadows, reflections, glows, blur,
photographic texture, objects cut by the frame (objects lie inside the image).

"peel" (no mask: `make_peel_samples`): the same answer for the scene's front-most layer
(object or word; nothing is in front of it, so recomposition is exact), with an empty
mask as the condition, so the model learns to find it; `PEEL_EMPTY` of them are scenes
with nothing left to peel (the answer: the image as background, an empty foreground),
which is how "decompose all" knows when to stop.

"all" (peel every object front to back): `layer_stack` gives the true layer sequence
(background without objects and words, then every object / word layer in z-order,
straight RGBA for LayerD's edit distance).

Held-out scenes are the world's test split seeds (world.json splits.test).
"""

from __future__ import annotations

from dataclasses import replace

import torch

from .world import MAX_LAYERS, MAX_OBJECTS, World, uniforms

SIZE = 128  # the pack's native size
S_PICK = 9100  # RNG slot: which object is decomposed
S_EMPTY = 9101  # RNG slot: a peel sample with nothing left to peel
PEEL_EMPTY = 0.15  # share of peel samples with no object and no word
MASK_COVERAGE = 0.0  # mask = visible coverage > this
SHADOW_ALPHA = 0.5 / 255  # shadow area = foreground alpha above this outside the mask


def test_seeds(world: World, n: int, offset: int = 0):
    start = world.spec["splits"]["test"][0]
    return torch.arange(start + offset, start + offset + n, dtype=torch.int64)


def train_seeds(world: World, n: int, offset: int = 0):
    start = world.spec["splits"]["train"][0]
    return torch.arange(start + offset, start + offset + n, dtype=torch.int64)


def over_stack(layers: torch.Tensor):
    """Premultiplied layers [B, L, 4, H, W] (bottom first) -> (colour [B, 3, H, W],
    alpha [B, 1, H, W]) of their 'over' composite on transparency."""
    B, L, _, H, W = layers.shape
    P = layers.new_zeros(B, 3, H, W)
    a = layers.new_zeros(B, 1, H, W)
    for li in range(L):
        al = layers[:, li, 3:4]
        P = layers[:, li, :3] + (1 - al) * P
        a = al + (1 - al) * a
    return P, a


def pick_objects(sc, seeds) -> torch.Tensor:
    """One active object slot per scene, uniformly among its active objects, from a
    hash of the seed (a function of the seed alone)."""
    n = sc.obj_active.sum(1)
    u = uniforms(seeds, [S_PICK])[:, 0]
    k = (u * n).long().clamp(max=n - 1)
    rank = sc.obj_active.long().cumsum(1) - 1
    return ((rank == k[:, None]) & sc.obj_active).long().argmax(1)


def make_samples(world: World, seeds, size: int = SIZE, pick=None, shadows: str = "world") -> dict:
    """Samples for world seeds (see the module doc). shadows: "world" (as sampled),
    "on" / "off" (forced on / off for every object: the same scenes with and without
    shadows). pick: object slot per scene (default: `pick_objects`)."""
    seeds = torch.as_tensor(seeds, dtype=torch.int64).reshape(-1)
    sc = world.sample(seeds, size)
    if shadows in ("on", "off"):
        sc = replace(sc, obj_shadow=torch.full_like(sc.obj_shadow, shadows == "on"))
    B = sc.batch
    pick = pick_objects(sc, seeds) if pick is None else torch.as_tensor(pick, dtype=torch.long)
    ar = torch.arange(B)
    full = world.render(sc, layers="dense")
    layers, masks = full["layers"], full["masks"]  # [B, 9, 4, S, S], [B, 9, S, S]
    li = 1 + pick
    obj = layers[ar, li]  # [B, 4, S, S]
    cov = masks[ar, li]  # [B, S, S]
    # the layers in front of the picked object: every layer index above it
    front = torch.zeros_like(layers)
    above = torch.arange(MAX_LAYERS).view(1, -1) > li.view(-1, 1)  # [B, 9]
    front[above] = layers[above]
    P_front, a_front = over_stack(front)
    keep = 1 - a_front  # [B, 1, S, S]
    fg = obj * keep
    active = sc.obj_active.clone()
    active[ar, pick] = False
    bg = world.render(replace(sc, obj_active=active), layers=False)["composite"]
    vis = cov * keep[:, 0]
    mask = vis > MASK_COVERAGE
    shadow = (fg[:, 3] > SHADOW_ALPHA) & ~mask
    occluded = (cov * a_front[:, 0]).flatten(1).amax(1) > 0.02
    return {
        "image": full["composite"],
        "mask": mask,
        "background": bg,
        "foreground": fg,
        "shadow": shadow,
        "pick": pick,
        "has_shadow": sc.obj_shadow[ar, pick] & shadow.flatten(1).any(1),
        "translucent": sc.obj_opacity[ar, pick] < 1,
        "occluded": occluded,
        "bg_kind": sc.bg_kind,
        "n_objects": sc.obj_active.sum(1),
        "front_alpha": a_front,
        "seeds": seeds,
        "scenes": sc,
        "render": full,
    }


def make_peel_samples(world: World, seeds, size: int = SIZE, empty_share: float = PEEL_EMPTY) -> dict:
    """Peel samples (see the module doc): image, background, foreground (premultiplied, the
    front-most layer whole), mask (all False: the condition says "find it"), visible (the
    peeled layer's footprint, for measuring), empty (nothing to peel) per scene."""
    seeds = torch.as_tensor(seeds, dtype=torch.int64).reshape(-1)
    sc = world.sample(seeds, size)
    empty = uniforms(seeds, [S_EMPTY])[:, 0] < empty_share
    sc = replace(sc, obj_active=sc.obj_active & ~empty[:, None], word_active=sc.word_active & ~empty[:, None])
    B = sc.batch
    ar = torch.arange(B)
    full = world.render(sc, layers="dense")
    kinds = full["layer_kind"]  # [B, 9], z-order
    idx = torch.arange(MAX_LAYERS).view(1, -1).expand(B, -1)
    top = torch.where(kinds > 0, idx, torch.zeros_like(idx)).amax(1)  # 0: nothing to peel
    fg = full["layers"][ar, top] * (top > 0).float().view(-1, 1, 1, 1)
    obj_active, word_active = sc.obj_active.clone(), sc.word_active.clone()
    is_obj = (top >= 1) & (top <= MAX_OBJECTS)
    is_word = top > MAX_OBJECTS
    obj_active[ar[is_obj], top[is_obj] - 1] = False
    word_active[ar[is_word], top[is_word] - 1 - MAX_OBJECTS] = False
    bg = world.render(replace(sc, obj_active=obj_active, word_active=word_active), layers=False)["composite"]
    visible = full["masks"][ar, top] > MASK_COVERAGE
    visible[top == 0] = False
    return {"image": full["composite"], "background": bg, "foreground": fg,
            "mask": torch.zeros(B, size, size, dtype=torch.bool), "visible": visible, "empty": top == 0,
            "top_layer": top, "seeds": seeds}


OBJECT_ALPHA = 128 / 255  # main/engine/pipelines/decompose/decompose-all.ts OBJECT_ALPHA
MIN_OBJECT_SHARE = 0.002  # and MIN_OBJECT_SHARE


def predicted_mask(fg):
    """The engine's rule for "decompose all": object = foreground alpha >= OBJECT_ALPHA
    (premultiplied [4, S, S]); None when too small or everything."""
    m = fg[3] >= OBJECT_ALPHA - 1e-6
    n = int(m.sum())
    return None if n < max(8, MIN_OBJECT_SHARE * m.numel()) or n == m.numel() else m


def recompose(fg: torch.Tensor, bg: torch.Tensor) -> torch.Tensor:
    """Premultiplied foreground [B, 4, H, W] over an opaque background [B, 3, H, W]."""
    return fg[:, :3] + (1 - fg[:, 3:4]) * bg


def recomposition_residual(s: dict) -> torch.Tensor:
    """|fg over bg - image| per pixel, max over channels [B, H, W]."""
    return (recompose(s["foreground"], s["background"]) - s["image"]).abs().amax(1)


def unpremultiply(rgba: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Premultiplied [..., 4, H, W] -> straight RGBA."""
    a = rgba[..., 3:4, :, :]
    rgb = torch.where(a > eps, rgba[..., :3, :, :] / a.clamp(min=eps), torch.zeros_like(rgba[..., :3, :, :]))
    return torch.cat([rgb.clamp(0, 1), a], -3)


def layer_stack(s: dict, b: int) -> list[torch.Tensor]:
    """The true layers of scene b for "all": [background (opaque, no objects or words),
    then each object and word layer in z-order], straight RGBA [4, S, S] each."""
    full, sc = s["render"], s["scenes"]
    out = [torch.cat([full["background"][b], torch.ones_like(full["background"][b][:1])], 0)]
    kinds = full["layer_kind"][b]
    for li in range(1, MAX_LAYERS):
        if int(kinds[li]) > 0:
            out.append(unpremultiply(full["layers"][b, li]))
    del sc
    return out


def visible_masks(s: dict, b: int) -> list[torch.Tensor]:
    """For "all" with given masks: every object / word layer's visible footprint in
    z-order (bool [S, S]), the masks a front-to-back peel is handed."""
    full = s["render"]
    layers, masks, kinds = full["layers"][b], full["masks"][b], full["layer_kind"][b]
    a_front = torch.zeros_like(masks[0])
    out = []
    for li in range(MAX_LAYERS - 1, 0, -1):
        if int(kinds[li]) > 0:
            out.append((masks[li] * (1 - a_front)) > MASK_COVERAGE)
        a_front = layers[li, 3] + (1 - layers[li, 3]) * a_front
    return out[::-1]


__all__ = ["SIZE", "make_samples", "make_peel_samples", "predicted_mask", "recompose", "recomposition_residual", "layer_stack", "visible_masks",
           "test_seeds", "train_seeds", "unpremultiply", "over_stack", "MAX_OBJECTS"]

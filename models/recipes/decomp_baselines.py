"""Decomposition methods that need no training (LayerDecomp's comparators, issue 16).

Every method maps (image [3, S, S] sRGB 0-1, mask bool [S, S]) -> (background
[3, S, S], foreground premultiplied RGBA [4, S, S]) and uses nothing but its inputs.

- `inpaint`: mask-and-inpaint, the paper's baseline: OpenCV's Telea inpainting of the
  mask for the background, the mask cut out of the image as the foreground (alpha 1
  inside the mask). A shadow outside the mask stays in the background.
- `identity`: no decomposition at all (background = the image, empty foreground): the
  floor every method must clear.
- `shadow_unmix`: a hand-made shadow-aware variant of inpaint: the mask grown by
  `grow` px is inpainted; in that ring, a pixel darker than the inpainted background by
  the same factor in every channel is read as a black shadow of alpha 1 - image / bg
  and goes to the foreground. No world truth is read (the world's shadows are black,
  which is the assumption it makes).

The TypeScript engine's `--method inpaint` (main/engine/pipelines/decompose/) implements
the same Telea fast-marching algorithm; `decomp_eval.py` measures all of them.
"""

from __future__ import annotations

import numpy as np
import torch

try:
    import cv2
except ImportError:  # pragma: no cover - reported by the callers
    cv2 = None

TELEA_RADIUS = 3


def _need_cv2():
    if cv2 is None:
        raise SystemExit("opencv-python-headless is needed: pip install -r models/recipes/requirements.txt")


def telea(image: torch.Tensor, mask: torch.Tensor, radius: int = TELEA_RADIUS) -> torch.Tensor:
    """OpenCV Telea inpainting of mask in image ([3, S, S] 0-1) -> [3, S, S]."""
    _need_cv2()
    img = (image.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).contiguous().numpy()
    m = mask.to(torch.uint8).numpy() * 255
    out = cv2.inpaint(np.ascontiguousarray(img[..., ::-1]), m, radius, cv2.INPAINT_TELEA)[..., ::-1]
    filled = torch.from_numpy(np.ascontiguousarray(out)).permute(2, 0, 1).float() / 255
    return torch.where(mask[None], filled, image)  # outside the mask: the image itself, not its 8-bit copy


def cutout(image: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Premultiplied RGBA [4, S, S] of image under alpha [S, S]."""
    a = alpha.float()[None]
    return torch.cat([image * a, a], 0)


def inpaint(image, mask):
    if not mask.any():
        return image.clone(), torch.zeros(4, *image.shape[1:])
    return telea(image, mask), cutout(image, mask)


def identity(image, mask):
    return image.clone(), torch.zeros(4, *image.shape[1:])


def _dilate(mask: torch.Tensor, r: int) -> torch.Tensor:
    m = mask.float()[None, None]
    return torch.nn.functional.max_pool2d(m, 2 * r + 1, 1, r)[0, 0] > 0


def shadow_unmix(image, mask, grow: int = 6, min_alpha: float = 0.06, max_spread: float = 0.05):
    if not mask.any():
        return identity(image, mask)
    ring = _dilate(mask, grow) & ~mask
    bg = telea(image, mask | ring)
    ratio = image / bg.clamp(min=1e-3)  # [3, S, S]
    a = (1 - ratio.mean(0)).clamp(0, 1)
    consistent = (ratio.amax(0) - ratio.amin(0)) <= max_spread * 2
    shadow = ring & consistent & (a >= min_alpha) & (bg.amin(0) > 0.08)
    a = torch.where(shadow, a, torch.zeros_like(a))
    # outside the shadow the ring keeps the image's own pixels in the background
    bg = torch.where((ring & ~shadow)[None], image, bg)
    fg = cutout(image, mask)
    fg[3] = torch.where(shadow, a, fg[3])  # black shadow: colour 0, alpha a
    return bg, fg


METHODS = {"inpaint": inpaint, "identity": identity, "shadow-unmix": shadow_unmix}


def peel(method, image, masks):
    """"All" with given masks: peel front to back; masks in z-order (bottom first).
    -> layers [background, fg back to front] as premultiplied RGBA [4, S, S]."""
    cur, fgs = image, []
    for m in reversed(masks):
        cur, fg = method(cur, m)
        fgs.append(fg)
    bg = torch.cat([cur, torch.ones_like(cur[:1])], 0)
    return [bg] + fgs[::-1]

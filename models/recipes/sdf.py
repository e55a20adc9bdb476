"""Signed distance functions for the Lamina world shapes.

Every function takes box coordinates (qx, qy) where the object's square box is
[-1, 1] x [-1, 1], qy points UP and the shape's lowest point touches qy = -1 (so an
object rests exactly on a support line). The result is the signed distance in box
units (negative inside); multiply by the box half-extent in pixels to get pixels.
SHAPE_BOX gives each shape's exact extent inside its box: (half_width, top).
Formulas follow Inigo Quilez's 2D distance functions; polygons use the max over edge
half-planes (exact inside and along edges, mitred outside corners: fine for 1 px AA).
"""

import math

import torch

_S5 = 1.0 / math.sqrt(5.0)
_H = 1.0 / math.sqrt(1.25)
_D = 1.0 / 1.25


def circle(qx, qy):
    return torch.sqrt(qx * qx + qy * qy) - 1.0


def ring(qx, qy):
    return (torch.sqrt(qx * qx + qy * qy) - 0.7).abs() - 0.3


def square(qx, qy):
    return torch.maximum(qx.abs(), qy.abs()) - 1.0


def triangle(qx, qy):
    # apex (0, 1), base from (-1, -1) to (1, -1)
    side = (2.0 * qx.abs() + qy - 1.0) * _S5
    return torch.maximum(side, -qy - 1.0)


def diamond(qx, qy):
    # vertices (0, +-1), (+-0.75, 0)
    return (qx.abs() + 0.75 * qy.abs() - 0.75) * _D


def hexagon(qx, qy):
    # vertices (+-1, 0), (+-0.5, +-1)
    ay = qy.abs()
    return torch.maximum(ay - 1.0, (qx.abs() + 0.5 * ay - 1.0) * _H)


_K1X, _K1Y = 0.809016994375, -0.587785252292
_STAR_K = 0.951056516295  # outer radius 1 star: half width 0.951, spans y in [-0.809, 1]
_BAX, _BAY = 0.5 * -_K1Y * 1.0, 0.5 * _K1X - 1.0  # rf = 0.5 inner ratio


def star(qx, qy):
    # map box coords to star-local coords (outer radius 1, bottom tips at y = -0.809)
    px = (qx * _STAR_K).abs()
    py = (qy + 1.0) * _STAR_K - 0.809016994375
    for kx in (_K1X, -_K1X):
        d = torch.clamp(kx * px + _K1Y * py, min=0.0) * 2.0
        px = px - d * kx
        py = py - d * _K1Y
    px = px.abs()
    py = py - 1.0
    h = torch.clamp((px * _BAX + py * _BAY) / (_BAX * _BAX + _BAY * _BAY), 0.0, 1.0)
    dx, dy = px - _BAX * h, py - _BAY * h
    sgn = torch.sign(py * _BAX - px * _BAY)
    return torch.sqrt(dx * dx + dy * dy) * sgn / _STAR_K


_HEART_K = 0.6035533906  # heart half width; spans y in [0, 1.1036]


def heart(qx, qy):
    px = (qx * _HEART_K).abs()
    py = (qy + 1.0) * _HEART_K
    lobe = torch.sqrt((px - 0.25) ** 2 + (py - 0.75) ** 2) - 0.3535533906
    t = 0.5 * torch.clamp(px + py, min=0.0)
    low = torch.sqrt(torch.minimum(px * px + (py - 1.0) ** 2, (px - t) ** 2 + (py - t) ** 2))
    low = low * torch.sign(px - py)
    return torch.where(px + py > 1.0, lobe, low) / _HEART_K


SDF = {
    "circle": circle,
    "square": square,
    "triangle": triangle,
    "star": star,
    "heart": heart,
    "diamond": diamond,
    "hexagon": hexagon,
    "ring": ring,
}

# (half_width, top) of the drawn shape inside its [-1, 1] box; the bottom is always -1.
SHAPE_BOX = {
    "circle": (1.0, 1.0),
    "square": (1.0, 1.0),
    "triangle": (1.0, 1.0),
    "star": (1.0, 1.809016994375 / _STAR_K - 1.0),
    "heart": (1.0, 1.1035533906 / _HEART_K - 1.0),
    "diamond": (0.75, 1.0),
    "hexagon": (1.0, 1.0),
    "ring": (1.0, 1.0),
}

"""Shape critic (training aid, not exported): a small convolutional network that reads, at
every latent pixel, what covers it (nothing, a word, or an object of one of the world's
shapes) from a clean latent. It is trained on the true latents only; the DiT then gets a
second loss: the critic's reading of the clean latent it implies (x0 = x_t - t v) must
match the true scene's owners.

Why: the denoising MSE rewards an object's colour over all its pixels but its shape only
at its border, so the DiT learns colour early and shape hardly at all (calibration.md,
sessions 5-9: one-object shape stays near chance while colour reaches 70 %). The critic's
loss weighs every covered pixel's shape class, the way a perceptual loss weighs what a
person looks at. The critic's own weights get no gradient from the DiT's loss, so the
two cannot agree on a private code; it only ever learns from real latents.
"""

from __future__ import annotations

import torch
import torch.nn as nn


class ShapeCritic(nn.Module):
    """latent [B, C, h, w] -> logits [B, classes, h, w]; classes = 2 + shapes (0 nothing,
    1 a word, 2 + shape id an object: data.owner_classes' shape classes). Dilated 3 x 3
    convolutions: a receptive field of 31 latent pixels, about a large object at 128 px."""

    def __init__(self, latent_channels: int, classes: int, width: int = 48):
        super().__init__()
        self.classes = classes
        layers, c = [], latent_channels
        for d in (1, 1, 2, 4, 8):
            layers += [nn.Conv2d(c, width, 3, padding=d, dilation=d), nn.GELU()]
            c = width
        layers.append(nn.Conv2d(width, classes, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)

    def loss(self, z, labels, frozen=False):
        """Soft cross-entropy against labels [B, h * w, classes] (data.token_labels on the
        latent grid), balanced: the mean over object pixels and the mean over the rest count
        alike (objects cover a few % of a scene: unbalanced, "nothing everywhere" wins).
        `frozen`: the critic's weights take no gradient (the DiT's loss)."""
        if frozen:
            logits = torch.func.functional_call(self, {k: v.detach() for k, v in self.named_parameters()}, (z,))
        else:
            logits = self(z)
        logp = logits.float().flatten(2).transpose(1, 2).log_softmax(-1)
        ce = -(labels * logp).sum(-1)
        obj = labels[..., 2:].sum(-1)  # each pixel's object share
        rest = 1.0 - obj
        return 0.5 * ((ce * obj).sum() / obj.sum().clamp(min=1e-6) + (ce * rest).sum() / rest.sum().clamp(min=1e-6))

    @torch.no_grad()
    def object_accuracy(self, z, labels) -> float:
        """Share of object-covered latent pixels (an object's share > 0.5) whose shape the
        critic reads right: on true latents, how well it reads; on the DiT's x0, how well the
        DiT draws."""
        pred = self(z).flatten(2).transpose(1, 2).argmax(-1)
        best, cls = labels.max(-1)
        on = (cls >= 2) & (best > 0.5)
        return float((pred[on] == cls[on]).float().mean()) if on.any() else float("nan")

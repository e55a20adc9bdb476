"""Rectified-flow schedule and Euler sampler (the same math the TypeScript scheduler runs)."""

import torch


def shift_sigma(t, shift):
    """SD3 timestep shift: sigma = shift * t / (1 + (shift - 1) * t)."""
    return shift * t / (1 + (shift - 1) * t)


def sigmas(steps, shift=1.0):
    t = torch.linspace(1.0, 0.0, steps + 1)
    return shift_sigma(t, shift)


@torch.no_grad()
def sample(dit, text_embeds, text_mask, null_embeds, null_mask, steps=20, cfg_scale=4.0, shift=1.0,
           generator=None, latent_size=None):
    """Euler sampling from sigma 1 (noise) to 0 with classifier-free guidance, at the DiT's
    native latent size or `latent_size` (a lower resolution it was trained at).
    Returns normalized latents [B, C, h, w]."""
    c = dit.cfg
    B = text_embeds.shape[0]
    side = latent_size or c.latent_size
    x = torch.randn(B, c.latent_channels, side, side, generator=generator)
    x = x.to(text_embeds.device)
    sig = sigmas(steps, shift).to(x.device)
    T, Tn = text_embeds.shape[1], null_embeds.shape[1]
    if Tn < T:  # pad the unconditional prompt to the batch's text length (mask hides the pad)
        null_embeds = torch.cat([null_embeds, null_embeds.new_zeros(null_embeds.shape[0], T - Tn,
                                                                     null_embeds.shape[2])], 1)
        null_mask = torch.cat([null_mask, null_mask.new_zeros(null_mask.shape[0], T - Tn)], 1)
    emb = torch.cat([text_embeds, null_embeds.expand(B, -1, -1)])
    mask = torch.cat([text_mask, null_mask.expand(B, -1)])
    for i in range(steps):
        t = sig[i].expand(2 * B)
        v, _, _ = dit(torch.cat([x, x]), t, emb, mask)
        vc, vu = v.chunk(2)
        v = vu + cfg_scale * (vc - vu)
        x = x + (sig[i + 1] - sig[i]) * v
    return x

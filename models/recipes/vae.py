"""RGBA VAE (f = 8), alpha-aware.

Images travel as premultiplied RGBA in [0, 1] ([B, 4, H, W]); inside, they are mapped
to [-1, 1]. Premultiplied colour means a transparent pixel is all zeros, so the
encoder never sees colour under alpha = 0. The decoder's alpha output starts opaque
(its weights are zero and its bias gives alpha = 1), so an untrained decoder behaves
like an RGB VAE; decode() clamps to [0, 1] and keeps colour <= alpha.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import VAEConfig


class ResBlock(nn.Module):
    def __init__(self, ch, groups):
        super().__init__()
        self.n1 = nn.GroupNorm(groups, ch)
        self.c1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.n2 = nn.GroupNorm(groups, ch)
        self.c2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        h = self.c1(F.silu(self.n1(x)))
        return x + self.c2(F.silu(self.n2(h)))


class Encoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        u, ch = cfg.pixel_unshuffle, cfg.channels
        self.unshuffle = nn.PixelUnshuffle(u)
        self.conv_in = nn.Conv2d(cfg.image_channels * u * u, ch[0], 3, padding=1)
        layers = []
        for i, c in enumerate(ch):
            layers += [ResBlock(c, cfg.groups) for _ in range(cfg.res_blocks)]
            if i + 1 < len(ch):
                layers.append(nn.Conv2d(c, ch[i + 1], 3, stride=2, padding=1))
        layers += [ResBlock(ch[-1], cfg.groups), nn.GroupNorm(cfg.groups, ch[-1]), nn.SiLU()]
        self.body = nn.Sequential(*layers)
        self.conv_out = nn.Conv2d(ch[-1], 2 * cfg.latent_channels, 3, padding=1)

    def forward(self, x):
        return self.conv_out(self.body(self.conv_in(self.unshuffle(x))))


class Decoder(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        u, ch = cfg.pixel_unshuffle, cfg.channels[::-1]
        self.conv_in = nn.Conv2d(cfg.latent_channels, ch[0], 3, padding=1)
        layers = [ResBlock(ch[0], cfg.groups)]
        for i, c in enumerate(ch):
            layers += [ResBlock(c, cfg.groups) for _ in range(cfg.res_blocks)]
            if i + 1 < len(ch):
                layers += [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c, ch[i + 1], 3, padding=1)]
        layers += [nn.GroupNorm(cfg.groups, ch[-1]), nn.SiLU()]
        self.body = nn.Sequential(*layers)
        self.conv_out = nn.Conv2d(ch[-1], cfg.image_channels * u * u, 3, padding=1)
        self.shuffle = nn.PixelShuffle(u)
        with torch.no_grad():  # alpha path starts opaque: every alpha sub-pixel = +1 (alpha 1)
            alpha_rows = torch.arange(self.conv_out.out_channels).div(u * u, rounding_mode="floor") == 3
            self.conv_out.weight[alpha_rows] = 0
            self.conv_out.bias[alpha_rows] = 1

    def forward(self, z):
        return self.shuffle(self.conv_out(self.body(self.conv_in(z))))


class RGBAVAE(nn.Module):
    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)

    def encode_stats(self, rgba01):
        h = self.encoder(rgba01 * 2 - 1)
        mean, logvar = h.chunk(2, dim=1)
        return mean, logvar.clamp(-20, 10)

    def encode(self, rgba01):
        """Deterministic latent (the posterior mean) [B, C, H/f, W/f]."""
        return self.encode_stats(rgba01)[0]

    def decode_raw(self, z):
        return self.decoder(z)  # [-1, 1] domain, unclamped (training)

    def decode(self, z):
        x = (self.decoder(z) * 0.5 + 0.5).clamp(0, 1)
        rgb, a = x[:, :3], x[:, 3:4]
        return torch.cat([torch.minimum(rgb, a), a], 1)

    def forward(self, rgba01, sample=True):
        mean, logvar = self.encode_stats(rgba01)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar) if sample else mean
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        return self.decode_raw(z), kl


class PixelCodec(nn.Module):
    """Pixel space (VAEConfig.kind = "none"): the "latent" is the premultiplied RGBA image
    mapped to [-1, 1]; nothing to train. decode() keeps colour <= alpha like RGBAVAE."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg

    def encode(self, rgba01):
        return rgba01 * 2 - 1

    def decode(self, z):
        x = (z * 0.5 + 0.5).clamp(0, 1)
        rgb, a = x[:, :3], x[:, 3:4]
        return torch.cat([torch.minimum(rgb, a), a], 1)


def make_codec(cfg: VAEConfig) -> nn.Module:
    """The recipe's image codec: the RGBA VAE, or pixel space."""
    return PixelCodec(cfg) if cfg.kind == "none" else RGBAVAE(cfg)


def load_codec(state: dict) -> nn.Module:
    """A trained VAE checkpoint ({ckpt}/vae.pt: its recipe and weights) as its codec, in eval mode."""
    from .config import from_dict

    codec = make_codec(from_dict(state["recipe"]).vae)
    codec.load_state_dict(state["model"])
    return codec.eval()

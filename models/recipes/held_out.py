"""A DiT snapshot and held-out training-distribution batches to diagnose it on (the same
scenes and noise for every snapshot): what grounding.diagnose and shape_critic's x0 reading
by noise level both start from."""

from dataclasses import dataclass
from pathlib import Path

import torch

HELD_OUT_SEED = 2 * 10**6  # scene indices no training batch uses


@dataclass
class HeldOutBatch:
    scenes: object  # data.dit_batch's batch (rgba, captions, owner maps)
    z0: torch.Tensor  # the scenes' normalised latents
    ids: torch.Tensor
    mask: torch.Tensor
    noise: torch.Tensor  # the same for every snapshot: x_t = (1 - t) z0 + t noise

    def noised(self, t):
        """(x_t, timesteps [B]) at noise level t."""
        return (1 - t) * self.z0 + t * self.noise, torch.full((self.z0.shape[0],), t)


class DiagnosedSnapshot:
    """A snapshot (calibrate.load_snapshot: its run's VAE beside it) with the world and tokenizer."""

    def __init__(self, snapshot):
        from .calibrate import load_snapshot
        from .text import Tokenizer
        from .world import World

        self.world = World.load()
        snap = Path(snapshot)
        self.recipe, self.codec, self.text, self.dit, self.state = load_snapshot(snap, snap.parent.parent, self.world)
        self.tok = Tokenizer(self.world.spec)

    @torch.no_grad()
    def batch(self, k, size=32, simple=False, noise_seed=None) -> HeldOutBatch:
        """Held-out batch k (noise from generator seed k unless `noise_seed`)."""
        from .data import dit_batch

        tc = self.recipe.train
        b = dit_batch(self.world, HELD_OUT_SEED + k, size, tc.image_size, tc.phrase_fraction, owners=True, simple=simple)
        z0 = (self.codec.encode(b.rgba) - self.state["latent_shift"]) * self.state["latent_scale"]
        ids, mask = self.tok(b.captions)
        g = torch.Generator().manual_seed(k if noise_seed is None else noise_seed)
        return HeldOutBatch(b, z0, ids, mask, torch.randn(z0.shape, generator=g))

"""What the DiT does at each noise level: x0 predictions for real training samples.

    python -m models.recipes.diagnose --ckpt /work/ckpt/cpu --out /tmp/x0.png [--dit dit.pt]

Rows of the sheet: the true samples (6 single-object layers with their phrase, 4
composites with their caption), their VAE reconstructions, then the model's x0 prediction
x_t - t * v(x_t, t, text) from x_t = (1 - t) x0 + t noise, for t = 0.95, 0.8, 0.6, 0.4,
0.2. A model that has learned to *read* a shape from x_t but not to *write* it from the
text shows correct shapes at low t and blobs from t ~ 0.8 up (see models/recipes/README.md).
Also prints the latent MSE of each row against the true latent.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from . import checkpoint as ck
from .data import dit_batch
from .images import save_rgba_grid
from .text import Tokenizer
from .train import load_trained
from .world import World

NOISE_LEVELS = (0.95, 0.8, 0.6, 0.4, 0.2)


@torch.no_grad()
def x0_sheet(ckpt: Path, out: Path, dit_file="dit.pt", seed=12345):
    world = World.load()
    vae_state, dit_state = ck.load(ckpt / "vae.pt"), ck.load(ckpt / dit_file)
    recipe, vae, text, dit = load_trained(vae_state, dit_state, world)
    zs, zk = vae_state["latent_shift"], vae_state["latent_scale"]
    batch = 32
    b = dit_batch(world, seed, batch, recipe.train.image_size, recipe.train.phrase_fraction)
    rgba, caps = b.rgba, b.captions
    n_comp = batch - round(batch * recipe.train.phrase_fraction)
    idx = list(range(n_comp, n_comp + 6)) + list(range(4))
    x, caps = rgba[idx], [caps[i] for i in idx]
    ids, mask = Tokenizer(world.spec)(caps, "cpu")
    emb = text(ids, mask)
    z0 = (vae.encode(x) - zs) * zk
    noise = torch.randn(z0.shape, generator=torch.Generator().manual_seed(0))
    rows, errors = [x, vae.decode(z0 / zk + zs)], {}
    for t in NOISE_LEVELS:
        xt = (1 - t) * z0 + t * noise
        v, _, _ = dit(xt, torch.full((len(idx),), t), emb, mask.float())
        x0 = xt - t * v
        errors[t] = ((x0 - z0) ** 2).mean().item()
        rows.append(vae.decode(x0 / zk + zs))
    save_rgba_grid(out, rows, cols=len(idx))
    return caps, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default="/work/ckpt/cpu")
    ap.add_argument("--dit", default="dit.pt")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    caps, errors = x0_sheet(Path(args.ckpt), Path(args.out), args.dit)
    print("\n".join(caps))
    for t, e in errors.items():
        print(f"t={t}: x0 latent MSE {e:.4f}")


if __name__ == "__main__":
    main()

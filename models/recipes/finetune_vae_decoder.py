"""Fine-tune the RGBA VAE's decoder alone, with its encoder frozen.

The encoder defines the latent space the MMDiT was trained in, so it must not move; the
decoder can keep learning to draw sharper shapes from the same latents (the cpu recipe
gives the VAE only 700 steps). Latents get a little Gaussian noise, so the decoder also
learns to draw from slightly-off latents like the ones a sampler ends on.

    python -m models.recipes.finetune_vae_decoder --ckpt /work/ckpt/cpu --seconds 2400

Reads {ckpt}/vae.pt, writes {ckpt}/vae_decoder_ft.pt (resumable: rerun the same line).
Export a pack with it: `python -m models.recipes.export_onnx --vae vae_decoder_ft.pt ...`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from . import checkpoint as ck
from . import config as config_lib
from .data import vae_batch
from .images import save_rgba_grid
from .train import describe_hardware, vae_eval, vae_loss
from .vae import RGBAVAE
from .world import World

SEED_BASE = 50_000_000  # another stretch of training seeds than the VAE stage's


def finetune(ckpt: Path, seconds: float, lr=5e-4, batch=16, crop=64, latent_noise=0.05, out_name="vae_decoder_ft.pt",
             steps=None, log=print, device="cpu"):
    """Train the decoder for `seconds` (or `steps`) of wall time; returns the saved state."""
    out = ckpt / out_name
    base = ck.load(ckpt / "vae.pt")
    state = ck.load(out) or {**base, "decoder_finetune": {"step": 0, "elapsed": 0.0, "done": False, "from": "vae.pt",
                                                          "batch": batch, "crop": crop, "base_metrics": base.get("metrics")}}
    ft = state["decoder_finetune"]
    recipe = config_lib.from_dict(base["recipe"])
    world = World.load(device=device)
    vae = RGBAVAE(recipe.vae).to(device)
    vae.load_state_dict(state["model"])
    if ft["done"]:
        return state
    for p in vae.encoder.parameters():
        p.requires_grad_(False)
    vae.encoder.eval()
    opt = torch.optim.AdamW(vae.decoder.parameters(), lr=lr, betas=(0.9, 0.99))
    if "decoder_opt" in state:
        opt.load_state_dict(state["decoder_opt"])
    total = steps or 10**9
    budget = ck.Budget(total, None if steps else seconds, ft["elapsed"])
    noise = latent_noise / base["latent_scale"]  # in raw latent units (normalized std ~1)
    step, t0, seen, loss_avg = ft["step"], time.time(), 0, None
    log(f"vae decoder fine-tune from step {step}: lr {lr:g}, batch {batch}, {crop}px crops, latent noise {latent_noise}, "
        f"{'%d steps' % steps if steps else '%.0f s' % seconds}; {describe_hardware(device, torch.get_num_threads())}")

    def save(done=False):
        ft.update(step=step, elapsed=budget.elapsed, done=done)
        state.update(model=vae.state_dict(), decoder_opt=opt.state_dict(), decoder_finetune=ft)
        ck.save(out, state)

    while not budget.done(step):
        p = None if steps else budget.time_progress()
        for g in opt.param_groups:
            g["lr"] = ck.lr_at(step, lr, 50, total, 0.05, p)
        x = vae_batch(world, SEED_BASE // batch + step, batch, recipe.train.image_size, crop).to(device)
        with torch.no_grad():
            mean, logvar = vae.encode_stats(x)
            z = mean + torch.randn_like(mean) * (torch.exp(0.5 * logvar) + noise)
        loss = vae_loss(vae.decode_raw(z), x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.decoder.parameters(), 1.0)
        opt.step()
        step += 1
        seen += batch
        loss_avg = loss.item() if loss_avg is None else 0.95 * loss_avg + 0.05 * loss.item()
        if step % 50 == 0:
            log(f"vae decoder step {step} loss {loss_avg:.4f} {seen / (time.time() - t0):.1f} img/s")
        if step % 250 == 0:
            save()
    metrics, comp, rec, lay, rl = vae_eval(vae, world, recipe.train.image_size)
    metrics.update(steps=base["step"], decoder_finetune_steps=step, decoder_finetune_seconds=round(budget.elapsed, 1),
                   latent_shift=base["latent_shift"], latent_scale=base["latent_scale"])
    state["metrics"] = metrics
    save(done=True)
    (ckpt / "samples").mkdir(parents=True, exist_ok=True)
    save_rgba_grid(ckpt / "samples" / "vae_decoder_ft_recon.png", [comp, rec, lay, rl])
    log(f"vae decoder fine-tune done: {json.dumps(metrics)}")
    return state


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default="/work/ckpt/cpu")
    ap.add_argument("--seconds", type=float, default=2400.0, help="wall-clock budget (counted across resumes)")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ckpt = Path(args.ckpt)
    logger = ck.Logger(ckpt / "train.log")
    finetune(ckpt, args.seconds, lr=args.lr, log=logger)


if __name__ == "__main__":
    main()

"""Train the lamina-tiny pack: RGBA VAE first, then text encoder + MMDiT on VAE latents.

    python -m models.recipes.train --config cpu --ckpt /work/ckpt/cpu

Rerunning the same command resumes from {ckpt}/vae.pt and {ckpt}/dit.pt. Logs go to
{ckpt}/train.log, sample grids to {ckpt}/samples/. --stage vae|dit limits the work.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoint as ck
from . import config as config_lib
from .data import dit_batch, token_labels, vae_batch
from .grounding import TextAttention, WordRegions, losses as grounding_losses
from .images import save_rgba_grid
from .mmdit import MMDiT
from .sampling import sample, shift_sigma
from .shape_critic import ShapeCritic, critic_labels
from .text import Tokenizer
from .text_encoder import TextEncoder
from .vae import make_codec
from .world import World


def build(recipe, world: World):
    recipe.text.vocab_size = len(world.spec["vocab"])
    recipe.text.max_length = world.spec["tokenizer"]["max_length"]
    recipe.dit.text_dim = recipe.text.dim
    recipe.dit.latent_channels = recipe.vae.latent_channels
    return make_codec(recipe.vae), TextEncoder(recipe.text), MMDiT(recipe.dit)


def load_trained(vae_state: dict, dit_state: dict, world: World):
    """(recipe, vae, text, dit) rebuilt from checkpoints, EMA weights, in eval mode."""
    recipe = config_lib.from_dict(dit_state["recipe"])
    vae, text, dit = build(recipe, world)
    vae.load_state_dict(vae_state["model"])
    text.load_state_dict(dit_state["ema_text"])
    dit.load_state_dict(dit_state["ema_dit"])
    for m in (vae, text, dit):
        m.eval()
    return recipe, vae, text, dit


def describe_hardware(device, threads) -> str:
    if str(device).startswith("cuda"):
        return f"1 x {torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda}, bf16 autocast), torch {torch.__version__}"
    return (f"{os.cpu_count()} CPU cores ({ck.cpu_name()}), torch.set_num_threads({threads}), nice {os.nice(0)}, "
            f"torch {torch.__version__}")


def _autocast(device):
    """bf16 autocast on CUDA; a no-op on CPU."""
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=str(device).startswith("cuda"))


# ---------------------------------------------------------------------- VAE
def vae_loss(recon, x):
    target = x * 2 - 1
    err = (recon - target).abs()
    w = torch.tensor([1.0, 1.0, 1.0, 2.0], device=x.device).view(1, 4, 1, 1)
    return (err * w).mean() + 0.5 * ((recon - target) ** 2 * w).mean()


@torch.no_grad()
def vae_eval(vae, world, size, n=64, split="val"):
    """PSNR (dB) of decoded composites and alpha IoU (alpha > 0.5) of decoded layers."""
    vae.eval()
    lo = world.spec["splits"][split][0]
    seeds = torch.arange(lo, lo + n)
    sc = world.sample(seeds, size)
    out = world.render(sc)
    comp = torch.cat([out["composite"], torch.ones_like(out["composite"][:, :1])], 1)
    rec = vae.decode(vae.encode(comp))
    mse = ((rec[:, :3] - comp[:, :3]) ** 2).mean((1, 2, 3))
    psnr = (10 * torch.log10(1 / mse.clamp(min=1e-10))).mean().item()
    kind = out["layer_kind"]
    b, li = ((kind == 1) | (kind == 2)).nonzero(as_tuple=True)
    lay = out["layers"][b, li]
    rl = vae.decode(vae.encode(lay))
    gt, pr = lay[:, 3] > 0.5, rl[:, 3] > 0.5
    iou = ((gt & pr).sum((1, 2)).float() / (gt | pr).sum((1, 2)).clamp(min=1).float()).mean().item()
    lmse = ((rl - lay) ** 2).mean((1, 2, 3))
    lpsnr = (10 * torch.log10(1 / lmse.clamp(min=1e-10))).mean().item()
    vae.train()
    return {"composite_psnr_db": psnr, "layer_rgba_psnr_db": lpsnr, "alpha_iou": iou, "scenes": n,
            "layers": int(b.numel()), "split": split}, comp[:8], rec[:8], lay[:8], rl[:8]


@torch.no_grad()
def latent_stats(vae, world, recipe, device):
    vae.eval()
    zs = []
    for i in range(4):
        b = dit_batch(world, 10_000_000 + i, 32, recipe.train.image_size, recipe.train.phrase_fraction)
        zs.append(vae.encode(b.rgba.to(device)))
    z = torch.cat(zs)
    vae.train()
    return z.mean().item(), 1.0 / z.std().item()


def train_vae(recipe, world, ck_dir: Path, log, device):
    tc = recipe.train
    if recipe.vae.kind == "none":  # pixel space: nothing to train, latents are the image in [-1, 1]
        return {"model": {}, "step": 0, "recipe": recipe.to_dict(), "done": True, "latent_shift": 0.0,
                "latent_scale": 1.0, "metrics": {"kind": "pixel space (no VAE)"}}
    vae = make_codec(recipe.vae).to(device)
    opt = torch.optim.AdamW(vae.parameters(), lr=tc.vae_lr, betas=(0.9, 0.99))
    path = ck_dir / "vae.pt"
    state = ck.load(path)
    step, spent = 0, 0.0
    if state and state.get("done"):
        return state
    if state:
        vae.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, spent = state["step"], state.get("elapsed", 0.0)
        log(f"vae: resumed at step {step}")
    budget = ck.Budget(tc.vae_steps, tc.vae_seconds, spent, tc.budget_clock)
    t0, seen = time.time(), 0
    vae.train()
    while not budget.done(step):
        lr = ck.lr_at(step, tc.vae_lr, min(200, tc.warmup), tc.vae_steps, tc.min_lr_ratio, budget.time_progress())
        for g in opt.param_groups:
            g["lr"] = lr
        x = vae_batch(world, step, tc.vae_batch, tc.image_size, tc.vae_crop).to(device)
        with _autocast(device):
            recon, kl = vae(x)
        loss = vae_loss(recon.float(), x) + tc.vae_kl * kl.float()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), tc.grad_clip)
        opt.step()
        step += 1
        seen += x.shape[0]
        if step % tc.log_every == 0 or budget.done(step):
            log(f"vae step {step}/{tc.vae_steps} loss {loss.item():.4f} kl {kl.item():.3f} lr {lr:.2e} "
                f"{seen / (time.time() - t0):.1f} img/s")
        if step % tc.ckpt_every == 0 and not budget.done(step):
            ck.save(path, {"model": vae.state_dict(), "opt": opt.state_dict(), "step": step,
                           "recipe": recipe.to_dict(), "elapsed": budget.elapsed})
    metrics, comp, rec, lay, rl = vae_eval(vae, world, tc.image_size)
    shift, scale = latent_stats(vae, world, recipe, device)
    metrics.update(steps=step, seconds=round(budget.elapsed, 1), latent_shift=shift, latent_scale=scale)
    log(f"vae done: {json.dumps(metrics)}")
    (ck_dir / "samples").mkdir(parents=True, exist_ok=True)
    save_rgba_grid(ck_dir / "samples" / "vae_recon.png", [comp, rec, lay, rl])
    state = {"model": vae.state_dict(), "opt": opt.state_dict(), "step": step, "recipe": recipe.to_dict(),
             "done": True, "latent_shift": shift, "latent_scale": scale, "metrics": metrics}
    ck.save(path, state)
    (ck_dir / "vae_metrics.json").write_text(json.dumps(metrics, indent=1))
    return state


# ---------------------------------------------------------------------- DiT
SAMPLE_PROMPTS = [
    "a large red circle on a white background",
    "a large blue square on a yellow background",
    "a large green triangle on a white background",
    "a large yellow star on a blue background",
    "a large pink heart on a white background",
    "a large orange diamond and a small blue circle on a green background",
    "a medium purple hexagon on a yellow striped background with the word CAT",
    "a large black ring on a orange gradient background",
    "large red star", "large blue circle", "large green square", "large yellow heart",
]


def train_dit(recipe, world, ck_dir: Path, log, device, vae_state, seed_from: Path | None = None,
              segment_seconds: float = 0.0):
    """Train (or resume) the text encoder + MMDiT. Without {ckpt}/dit.pt, `seed_from` (a
    resume file, checkpoint.save_resume) starts from its EMA weights with a fresh optimizer.
    `segment_seconds` > 0 trains that many more budget seconds from wherever the run is and
    anneals the LR over them after a warmup (a warm restart); the same command continues a
    segment cut short by a kill, or starts the next segment once one is complete."""
    tc = recipe.train
    vae, text, dit = build(recipe, world)
    vae.load_state_dict(vae_state["model"])
    vae.to(device).eval()
    for p in vae.parameters():
        p.requires_grad_(False)
    shift_z, scale_z = vae_state["latent_shift"], vae_state["latent_scale"]
    text.to(device)
    dit.to(device)
    params = list(text.parameters()) + list(dit.parameters())
    opt = torch.optim.AdamW(params, lr=tc.dit_lr, betas=(0.9, 0.99), weight_decay=tc.weight_decay)
    ema_t, ema_d = ck.EMA(text, tc.ema), ck.EMA(dit, tc.ema)
    probe = TokenProbe(recipe.dit, len(world.shapes), len(world.spec["colour_order"]), tc.token_probe_block)
    probe.to(device)
    critic, critic_opt, critic_steps = None, None, 0  # the shape critic, when a loss uses it
    if tc.shape_loss or tc.critic_align:
        n_words = len(world.spec["words"]) if tc.shape_critic_words else 0
        critic = ShapeCritic(recipe.dit.latent_channels, 2 + len(world.shapes) + n_words).to(device)
        critic_opt = torch.optim.AdamW(critic.parameters(), lr=tc.shape_critic_lr, weight_decay=0.0)
    if critic is not None and tc.shape_critic_from:  # a pretrained critic (shape_critic.pretrain): warmed up already
        pre = ck.load(Path(tc.shape_critic_from))
        critic.load_state_dict(pre["model"])
        critic_opt.load_state_dict(pre["opt"])
        critic_steps = max(pre["steps"], tc.shape_critic_warmup)
    align = CriticAlign(recipe.dit, critic, tc.critic_align_block).to(device) if tc.critic_align else None
    if align is not None and not tc.shape_critic_from:
        raise ValueError("train.critic_align needs train.shape_critic_from (a pretrained critic: its features are the target)")
    align_opt = torch.optim.AdamW(align.head.parameters(), lr=tc.dit_lr, weight_decay=0.0) if align else None
    tok = Tokenizer(world.spec)
    path = ck_dir / "dit.pt"
    state = ck.load(path)
    step, spent = 0, 0.0
    if state:
        text.load_state_dict(state["text"])
        dit.load_state_dict(state["dit"])
        ema_t.model.load_state_dict(state["ema_text"])
        ema_d.model.load_state_dict(state["ema_dit"])
        if "probe" in state:  # the probe's parameters are the optimizer's second group
            probe.load_state_dict(state["probe"])
            opt.add_param_group({"params": list(probe.parameters())})
        opt.load_state_dict(state["opt"])
        if align is not None and "align" in state:
            align.head.load_state_dict(state["align"]["model"])
            align_opt.load_state_dict(state["align"]["opt"])
        if critic is not None and "critic" in state:
            critic.load_state_dict(state["critic"]["model"])
            critic_opt.load_state_dict(state["critic"]["opt"])
            critic_steps = state["critic"]["steps"]
        step, spent = state["step"], state.get("elapsed", 0.0)
        log(f"dit: resumed at step {step}")
    elif seed_from is not None:
        seed = ck.load_resume(seed_from)
        for m in (text, ema_t.model):
            m.load_state_dict(seed["ema_text"])
        for m in (dit, ema_d.model):
            grown = m.load_grown(seed["ema_dit"])
        if grown:
            log(f"dit: {len(grown)} new zero-initialised tensors beside the seed's weights ({grown[0]}, ...)")
        step, spent = seed["step"], seed["elapsed"]
        log(f"dit: seeded from {seed_from} (EMA weights at step {step}, fresh optimizer)")
    segment = (state or {}).get("segment")
    if segment_seconds and not (segment and segment["seconds"] == segment_seconds
                                and spent < segment["start_elapsed"] + segment_seconds):
        segment = {"start_elapsed": spent, "start_step": step, "seconds": segment_seconds}
        log(f"dit: segment of {segment_seconds:.0f} budget s from step {step} (warm restart)")
    if segment:
        tc.dit_seconds, tc.dit_steps = segment["start_elapsed"] + segment["seconds"], max(tc.dit_steps, 10**9)
    if tc.token_probe and len(opt.param_groups) == 1:
        opt.add_param_group({"params": list(probe.parameters())})
    if tc.token_probe:
        probe.attach(dit)
        log(f"dit: token probe on block {tc.token_probe_block}, weight {tc.token_probe}")
    if align is not None:
        align.attach(dit)
        log(f"dit: critic alignment on block {tc.critic_align_block}, weight {tc.critic_align}")
    grounded = bool(tc.grounding or tc.grounding_pixel)
    if grounded:
        words, attention = WordRegions(world, tok), TextAttention(dit)
        log(f"dit: token grounding on every block, token loss {tc.grounding}, pixel loss {tc.grounding_pixel}"
            + (" (split over each phrase's words)" if tc.grounding_split else ""))
    if tc.shape_loss:
        log(f"dit: shape critic, weight {tc.shape_loss} after {tc.shape_critic_warmup} critic steps (at {critic_steps} now)")
    n_params = sum(p.numel() for p in dit.parameters()) + sum(p.numel() for p in text.parameters())
    budget = ck.Budget(tc.dit_steps, tc.dit_seconds, spent, tc.budget_clock)
    log(f"dit: {n_params / 1e6:.2f}M params (text + transformer), {tc.dit_steps} steps, batch {tc.dit_batch}"
        + (f", at most {tc.dit_seconds:.0f} s" if tc.dit_seconds else ""))
    gen = torch.Generator(device="cpu")

    def save_state(final=False):
        ck.save(path, {"text": text.state_dict(), "dit": dit.state_dict(), "ema_text": ema_t.model.state_dict(),
                       "ema_dit": ema_d.model.state_dict(), "opt": opt.state_dict(), "step": step,
                       "recipe": recipe.to_dict(), "latent_shift": shift_z, "latent_scale": scale_z,
                       "done": final, "elapsed": budget.elapsed, "segment": segment,
                       **({"probe": probe.state_dict()} if len(opt.param_groups) > 1 else {}),
                       **({"critic": {"model": critic.state_dict(), "opt": critic_opt.state_dict(), "steps": critic_steps}}
                          if tc.shape_loss else {}),
                       **({"align": {"model": align.head.state_dict(), "opt": align_opt.state_dict()}} if align else {})})

    grid = recipe.dit.latent_size // recipe.dit.patch_size

    lowres = lambda: budget.elapsed < tc.lowres_seconds  # noqa: E731 (progressive resolution's first phase)

    def fresh(i):
        """(latents,) or, with the token probe, (latents, per-token labels); captions."""
        simple = budget.elapsed < tc.curriculum_seconds
        size = tc.lowres_size if lowres() else tc.image_size
        if tc.token_probe and size != tc.image_size:
            raise ValueError("the token probe's labels are on the native token grid: no lowres_seconds with it")
        b = dit_batch(world, i, tc.dit_batch, size, tc.phrase_fraction,
                      owners=bool(tc.token_probe or tc.shape_loss or grounded) or tc.object_loss_weight != 1.0,
                      simple=simple)
        with torch.no_grad():
            z = (vae.encode(b.rgba.to(device)) - shift_z) * scale_z
        weights = (pixel_weights(b.owner_shape, z.shape[-1], tc.object_loss_weight).to(device)
                   if tc.object_loss_weight != 1.0 else torch.ones(z.shape[0], 1, 1, 1, device=device))
        extra = []  # labels, in this order: the token probe's, the shape critic's, grounding's (two)
        if tc.token_probe:
            extra.append(torch.cat([token_labels(b.owner_shape, probe.shape_classes, grid),
                                    token_labels(b.owner_colour, probe.colour_classes, grid)], -1).to(device))
        if tc.shape_loss:
            extra.append(critic_labels(world, b, critic.classes, z.shape[-1]).to(device))
        if grounded:
            regions, group, _ = words.targets(b.captions, b.owner_shape, b.owner_colour, b.owner_word,
                                              z.shape[-1] // recipe.dit.patch_size)
            extra += [regions.half().to(device), group.to(device)]
        return (z, weights, *extra), b.captions

    replay, replay_lowres = Replay(fresh, tc.data_reuse, tc.data_buffer), lowres()
    if tc.curriculum_seconds and budget.elapsed < tc.curriculum_seconds:
        log(f"dit: curriculum: single objects on plain backgrounds for the first {tc.curriculum_seconds:.0f} s")
    if replay_lowres:
        log(f"dit: progressive resolution: {tc.lowres_size} px for the first {tc.lowres_seconds:.0f} s, then {tc.image_size} px")
    snaps = Snapshots(ck_dir, tc.snapshot_seconds, budget.elapsed)
    t0, seen, loss_avg, probe_avg = time.time(), 0, None, None
    align_avg = None
    ground_avg = None  # (token loss, pixel loss)
    critic_avg = None  # (critic loss on true latents, its loss on the DiT's x0, accuracies on both)
    last = budget.done(step)  # decided once per step, so the final save never slips by
    while not last:
        gen.manual_seed(tc.seed * 1_000_003 + step)
        if segment:  # warmup again from the segment's start, then anneal over its seconds
            lr = ck.lr_at(step - segment["start_step"], tc.dit_lr, tc.warmup, 10**9, tc.min_lr_ratio,
                          min(1.0, (budget.elapsed - segment["start_elapsed"]) / segment["seconds"]))
        else:
            lr = ck.lr_at(step, tc.dit_lr, tc.warmup, tc.dit_steps, tc.min_lr_ratio, budget.time_progress())
        for g in opt.param_groups:
            g["lr"] = lr
        if replay_lowres and not lowres():  # native size from here on: the buffer's latents are smaller
            replay, replay_lowres = Replay(fresh, tc.data_reuse, tc.data_buffer), False
            log(f"dit: step {step}: {tc.image_size} px from here (progressive resolution)")
        tensors, caps = replay.next(step, gen)
        z0, weights = tensors[0], tensors[1]
        drop = torch.rand(len(caps), generator=gen) < tc.caption_dropout
        caps = ["" if d else c for c, d in zip(caps, drop.tolist())]
        ids, mask = tok(caps, device)
        B = z0.shape[0]
        t = torch.sigmoid(torch.randn(B, generator=gen)).to(device)  # logit-normal(0, 1)
        t = shift_sigma(t, tc.flow_shift)
        noise = torch.randn(z0.shape, generator=gen).to(device)
        xt = (1 - t.view(B, 1, 1, 1)) * z0 + t.view(B, 1, 1, 1) * noise
        with _autocast(device):
            emb = text(ids, mask)
            v, _, _ = dit(xt, t, emb, mask)
        loss = ((v.float() - (noise - z0)) ** 2 * weights).mean()
        total = loss
        if grounded:
            g = 2 + bool(tc.token_probe) + bool(tc.shape_loss)
            T = ids.shape[1]
            regions, group = tensors[g][:, :T].float(), tensors[g + 1][:, :T].clone()
            group[drop.to(group.device)] = -1  # a dropped caption names nothing
            g_tok, g_pix = grounding_losses(attention.take(), regions, group, tc.grounding_split)
            total = total + tc.grounding * g_tok + tc.grounding_pixel * g_pix
            g_now = (g_tok.item(), g_pix.item())
            ground_avg = g_now if ground_avg is None else tuple(0.98 * a + 0.02 * b for a, b in zip(ground_avg, g_now))
        if tc.shape_loss:
            labels = tensors[2 + bool(tc.token_probe)]
            c_loss = critic.loss(z0, labels)
            critic_opt.zero_grad(set_to_none=True)
            c_loss.backward()
            critic_opt.step()
            critic_steps += 1
            x0 = xt - t.view(B, 1, 1, 1) * v.float()  # the clean latent the DiT implies
            tw = t.float() ** tc.shape_loss_t_power
            s_loss = critic.loss(x0, labels, frozen=True, sample_weight=tw / tw.mean())
            if critic_steps > tc.shape_critic_warmup:
                total = total + tc.shape_loss * s_loss
            if (step + 1) % tc.log_every == 0:  # the step logged next
                critic_avg = (c_loss.item(), s_loss.item(), critic.object_accuracy(z0, labels),
                              critic.object_accuracy(x0.detach(), labels))
        if align is not None:
            a_loss = align.loss(z0)
            total = total + tc.critic_align * a_loss
            align_avg = a_loss.item() if align_avg is None else 0.98 * align_avg + 0.02 * a_loss.item()
        if tc.token_probe:
            probe_loss = probe.loss(tensors[2])
            total = total + tc.token_probe * probe_loss
            probe_avg = probe_loss.item() if probe_avg is None else 0.98 * probe_avg + 0.02 * probe_loss.item()
        opt.zero_grad(set_to_none=True)
        if align_opt is not None:
            align_opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, tc.grad_clip)
        opt.step()
        if align_opt is not None:
            align_opt.step()
        ema_t.update(text, step)
        ema_d.update(dit, step)
        step += 1
        seen += B
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        last = budget.done(step)
        if step % tc.log_every == 0 or last:
            log(f"dit step {step}/{tc.dit_steps} loss {loss_avg:.4f} lr {lr:.2e} "
                + (f"probe {probe_avg:.4f} " if probe_avg is not None else "")
                + (f"align {align_avg:.4f} " if align_avg is not None else "")
                + ("ground {:.3f} pixel {:.3f} ".format(*ground_avg) if ground_avg else "")
                + ("critic {:.3f} x0 {:.3f} acc {:.2f} x0 acc {:.2f} ".format(*critic_avg) if critic_avg else "")
                + f"{seen / (time.time() - t0):.1f} samples/s")
        if step % tc.ckpt_every == 0 or last:
            save_state(final=last)
        snaps.maybe_save(budget.elapsed, last, lambda: {
            "ema_text": ema_t.model.state_dict(), "ema_dit": ema_d.model.state_dict(), "step": step,
            "elapsed": budget.elapsed, "recipe": recipe.to_dict(), "latent_shift": shift_z,
            "latent_scale": scale_z, "segment": segment}, log)
        if step % tc.sample_every == 0 or last:
            save_samples(ck_dir / "samples" / f"dit_{step:06d}.png", ema_t.model, ema_d.model, vae, tok,
                         shift_z, scale_z, device, flow_shift=config_lib.sampling_shift(tc))
    if step < tc.dit_steps:
        log(f"dit: time budget of {tc.dit_seconds:.0f} s reached at step {step} of {tc.dit_steps}")
    return step


def pixel_weights(owner_shape: torch.Tensor, latent_size: int, object_weight: float) -> torch.Tensor:
    """Per latent pixel loss weights [B, 1, h, w] from the per-pixel owner classes [B, S, S]
    (data.owner_classes: 0 = background, 1 = a word, 2+ = an object): `object_weight` where
    objects and words cover the latent pixel (by area), 1 elsewhere, normalised to mean 1
    over the batch."""
    covered = (owner_shape >= 1).float()[:, None]
    share = F.adaptive_avg_pool2d(covered, latent_size)
    w = 1.0 + (object_weight - 1.0) * share
    return w / w.mean()


class Snapshots:
    """EMA weights saved every `every` budget seconds (and at the end) as
    {ckpt}/snapshots/t{seconds:05d}.pt: the trend of a calibration run, judged later by
    models.recipes.calibrate. Resumes at the next multiple after what was already spent."""

    def __init__(self, ck_dir: Path, every: float, spent: float):
        self.dir, self.every = Path(ck_dir) / "snapshots", every
        self.next = (int(spent // every) + 1) * every if every else None

    def maybe_save(self, elapsed, last, state, log):
        if self.next is None or (elapsed < self.next and not last):
            return
        mark = int(self.next if elapsed >= self.next else elapsed)
        path = self.dir / f"t{mark:05d}.pt"
        ck.save(path, state())
        log(f"dit: snapshot {path.name} at {elapsed:.0f} budget s")
        while self.next <= elapsed:
            self.next += self.every


class Replay:
    """Shuffled replay of encoded batches: on average one fresh batch (render + VAE
    encode, the costly part on a CPU) per `reuse` steps, mixed from the last `size`.
    `fresh(i)` returns (tuple of tensors with the batch first, captions)."""

    def __init__(self, fresh, reuse, size):
        self.fresh, self.reuse, self.size = fresh, reuse, size
        self.tensors, self.caps, self.made = None, [], 0

    def next(self, step, gen):
        if self.reuse <= 1:
            return self.fresh(step)
        want = step // self.reuse + 1
        if self.tensors is None:  # (re)start: only the batches that would still be in the buffer
            self.made = max(0, want - self.size)
        while self.made < want:
            tensors, caps = self.fresh(self.made)
            self.made += 1
            self.batch = tensors[0].shape[0]
            keep = self.size * self.batch
            self.tensors = tensors if self.tensors is None else tuple(
                torch.cat([old, new])[-keep:] for old, new in zip(self.tensors, tensors))
            self.caps = (self.caps + caps)[-keep:]
        idx = torch.randperm(self.tensors[0].shape[0], generator=gen)[: self.batch]
        picked = tuple(t[idx.to(t.device)] for t in self.tensors)
        return picked, [self.caps[i] for i in idx.tolist()]


class BlockTokens(nn.Module):
    """A training aid that reads one joint block's image tokens (self.tokens after each DiT
    forward) through a forward hook on that block."""

    block: int
    tokens = None

    def attach(self, dit):
        def keep(_module, _inputs, outputs):
            self.tokens = outputs[1]  # a joint block returns (text, image, k, v)

        dit.blocks[self.block].register_forward_hook(keep)


class TokenProbe(BlockTokens):
    """Training aid, not exported: a linear head on one block's image tokens that must
    tell, for every token, the shape and the colour of the object that will cover it
    (soft labels from the world's exact layer masks). It pushes the text's shape and
    colour words into the image tokens early in the network, where later blocks can draw
    them, in the spirit of REPA's representation alignment (with exact labels instead
    of a pretrained encoder's features)."""

    def __init__(self, cfg, shapes: int, colours: int, block: int):
        super().__init__()
        self.shape_classes, self.colour_classes = 2 + shapes, 1 + colours
        self.block = block
        self.head = nn.Linear(cfg.dim, self.shape_classes + self.colour_classes)
        self.tokens = None

    def loss(self, labels):
        """Soft cross-entropy of shape and of colour, averaged over tokens."""
        logits = self.head(self.tokens.float())
        s = self.shape_classes
        ce = [-(labels[..., a:b] * logits[..., a:b].log_softmax(-1)).sum(-1).mean()
              for a, b in ((0, s), (s, s + self.colour_classes))]
        return ce[0] + ce[1]


class CriticAlign(BlockTokens):
    """Training aid, not exported (REPA, Yu et al. 2024, with the shape critic as the
    encoder): an MLP maps one block's image tokens, computed from the noisy latent, to the
    pretrained critic's features of the clean latent averaged over each token's cell; the
    loss is 1 - cosine similarity. The critic is frozen and sees only true latents."""

    def __init__(self, cfg, critic, block: int):
        super().__init__()
        self.critic, self.block, self.patch = critic, block, cfg.patch_size
        width = critic.net[-1].in_channels
        self.head = nn.Sequential(nn.Linear(cfg.dim, cfg.dim), nn.SiLU(), nn.Linear(cfg.dim, width))
        self.tokens = None

    def loss(self, z0):
        with torch.no_grad():
            f = F.avg_pool2d(self.critic.features(z0), self.patch).flatten(2).transpose(1, 2)  # [B, N, width]
        pred = self.head(self.tokens.float())
        return 1.0 - F.cosine_similarity(pred, f, dim=-1).mean()


@torch.no_grad()
def save_samples(path, text, dit, vae, tok, shift_z, scale_z, device, prompts=SAMPLE_PROMPTS, steps=20, flow_shift=1.0):
    ids, mask = tok(prompts, device)
    nid, nmask = tok([""], device)
    emb, nemb = text(ids, mask), text(nid, nmask)
    g = torch.Generator().manual_seed(0)
    z = sample(dit, emb, mask.float(), nemb, nmask.float(), steps=steps, cfg_scale=4.0, shift=flow_shift, generator=g)
    img = vae.decode(z / scale_z + shift_z)
    save_rgba_grid(path, [img], cols=len(prompts))
    Path(path).with_suffix(".txt").write_text("\n".join(prompts) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="cpu")
    ap.add_argument("--ckpt", default="/work/ckpt/cpu")
    ap.add_argument("--stage", default="all", choices=["all", "vae", "dit"])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--dit-steps", type=int, default=None, help="override the recipe's DiT step count")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE",
                    help="override one recipe field, e.g. --set train.flow_shift=3 (repeatable)")
    ap.add_argument("--vae-seconds", type=float, default=None, help="wall-clock budget of the VAE stage")
    ap.add_argument("--dit-seconds", type=float, default=None, help="wall-clock budget of the DiT stage")
    ap.add_argument("--segment-seconds", type=float, default=0.0,
                    help="train this many more budget seconds from the checkpoint, LR re-warmed and annealed over them")
    ap.add_argument("--resume-from", type=Path, default=None,
                    help="without {ckpt}/dit.pt: start from this resume file (checkpoint.save_resume; EMA weights)")
    args = ap.parse_args()
    recipe = config_lib.get(args.config)
    for item in args.set:
        config_lib.override(recipe, item)
    if args.dit_steps:
        recipe.train.dit_steps = args.dit_steps
    if args.vae_seconds:
        recipe.train.vae_seconds = args.vae_seconds
    if args.dit_seconds:
        recipe.train.dit_seconds = args.dit_seconds
    torch.set_num_threads(args.threads or recipe.train.threads)
    torch.manual_seed(recipe.train.seed)
    if args.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    ck_dir = Path(args.ckpt)
    log = ck.Logger(ck_dir / "train.log")
    world = World.load(device=args.device)
    build(recipe, world)  # fills vocab / dims derived from world.json
    log(f"recipe {recipe.name} on {args.device}: {json.dumps(recipe.to_dict())}")
    log(f"hardware: {describe_hardware(args.device, torch.get_num_threads())}")
    if args.resume_from is not None and not (ck_dir / "vae.pt").exists():
        ck.unpack_resume_vae(args.resume_from, ck_dir / "vae.pt")
    vae_state = train_vae(recipe, world, ck_dir, log, args.device)
    if args.stage in ("all", "dit"):
        train_dit(recipe, world, ck_dir, log, args.device, vae_state, args.resume_from, args.segment_seconds)
    log("done")


if __name__ == "__main__":
    main()

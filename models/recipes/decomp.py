"""LayerDecomp for the Lamina pack: a fine-tune of the pack's MMDiT (issue 16).

The transformer denoises two latents at once, the clean background and the RGBA
foreground (object + shadow, premultiplied), channel-stacked [bg; fg] = 2C channels,
conditioned on the input image's latent (C) and the object mask max-pooled to the latent
grid (1), concatenated as extra input channels (InstructPix2Pix-style). The pretrained
patch embedding reads each half of the noisy latent (0.5 x its weights each); the
condition channels start at zero, so step 0 is the pretrained model on both halves. The
text is the empty prompt. Loss: rectified-flow velocity on both latents + `recomp` x
the recomposition loss |fg + (1 - fg alpha) bg - image| on the VAE-decoded x0 estimates
(the VAE is frozen). Training data: decomp_data.make_samples on train seeds, and a
`--peel` share of each batch from decomp_data.make_peel_samples: an all-zero mask channel
asks for the front-most layer (or an empty foreground when nothing is left), which is
what "decompose all" repeats until the foreground comes back empty.

Graph IO (`decompose_transformer.onnx`, what main/engine/pipelines/pipeline-decompose.ts
feeds through the shared denoise steps):
  latent [B, 2C, h, w] f32   noisy [background; foreground] latents (pack latent scaling)
  cond [B, C + 1, h, w] f32  image latent (vae_encoder -> (z - shift) * scale), mask (0/1)
  timestep [B] f32           sigma in [0, 1], 1 = noise
  text_embeds [B, T, D] f32, text_mask [B, T] i64   the empty prompt's encoding
  -> velocity [B, 2C, h, w]  (noise - clean), Euler steps as text-to-image
Decode each half with the pack's vae_decoder; background alpha is forced to 1.

    python -m models.recipes.decomp train --base /work/ckpt/cpu --ckpt /work/ckpt/decomp --cpu-seconds 3600
    python -m models.recipes.decomp export --ckpt /work/ckpt/decomp --out /tmp/lamina-decomp
    python -m models.recipes.decomp resume-file --ckpt /work/ckpt/decomp   # models/resume/lamina-decomp.pt

Resumable: rerun the same train line; --cpu-seconds counts this process's CPU time across
resumes (checkpoint.Budget clock "cpu"). On a new machine: `pack_torch --pack
models/lamina-tiny --out BASE`, then `train --base BASE --ckpt NEW --resume-from
models/resume/lamina-decomp.pt` (fresh optimizer).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch
import torch.nn as nn

from . import checkpoint as ck
from . import decomp_data as dd
from .finetune_pack import finetune_cli, load_base, load_state, save_state, seed_from_resume, write_pack, write_resume_file
from .pack_files import ort_max_diff
from .text import Tokenizer
from .world import World

OPSET = 17


class DecompDiT(nn.Module):
    """The base MMDiT with [noisy bg; noisy fg; image latent; mask] in, [v_bg; v_fg] out."""

    def __init__(self, base: nn.Module):
        super().__init__()
        self.base = base
        cfg = base.cfg
        C, p, d = cfg.latent_channels, cfg.patch_size, cfg.dim
        self.C, self.p = C, p
        old_in = base.patch if isinstance(base.patch, nn.Linear) else base.patch[0]
        new_in = nn.Linear((3 * C + 1) * p * p, old_in.out_features, bias=old_in.bias is not None)
        with torch.no_grad():
            w = old_in.weight.view(old_in.out_features, C, p * p)
            nw = torch.zeros(old_in.out_features, 3 * C + 1, p * p)
            nw[:, :C] = 0.5 * w
            nw[:, C:2 * C] = 0.5 * w
            new_in.weight.copy_(nw.view(old_in.out_features, -1))
            if old_in.bias is not None:
                new_in.bias.copy_(old_in.bias)
        if isinstance(base.patch, nn.Linear):
            base.patch = new_in
        else:
            base.patch[0] = new_in
        # the base reshapes its output with the input's channel count (3C + 1): the head
        # writes 3C + 1 channels of which the first 2C are [v_bg; v_fg] (the rest unused)
        old_out = base.final
        new_out = nn.Linear(d, (3 * C + 1) * p * p)
        with torch.no_grad():
            wo = old_out.weight.view(C, p * p, d)
            bo = old_out.bias.view(C, p * p)
            new_out.weight.zero_()
            new_out.bias.zero_()
            new_out.weight.view(3 * C + 1, p * p, d)[:2 * C] = torch.cat([wo, wo], 0)
            new_out.bias.view(3 * C + 1, p * p)[:2 * C] = torch.cat([bo, bo], 0)
        base.final = new_out
        base.cfg.prediction = "velocity"

    def forward(self, latent, cond, timestep, text_embeds, text_mask):
        v, _, _ = self.base(torch.cat([latent, cond], 1), timestep, text_embeds, text_mask)
        return v[:, :2 * self.C]


def make_batch(world, seeds, vae, shift_z, scale_z, f, size=dd.SIZE, peel_seeds=None):
    """Latent training batch: decomposition samples for `seeds` (the mask given), then peel
    samples for `peel_seeds` (an empty mask: the front-most layer, or nothing)."""
    parts = [dd.make_samples(world, seeds, size)]
    if peel_seeds is not None and len(peel_seeds):
        parts.append(dd.make_peel_samples(world, peel_seeds, size))
    img = torch.cat([p["image"] for p in parts])
    bg = torch.cat([torch.cat([p["background"] for p in parts]), torch.ones_like(img[:, :1])], 1)
    fg = torch.cat([p["foreground"] for p in parts])
    mask = torch.cat([p["mask"] for p in parts])
    img4 = torch.cat([img, torch.ones_like(img[:, :1])], 1)
    with torch.no_grad():
        z_img = (vae.encode(img4) - shift_z) * scale_z
        z_bg = (vae.encode(bg) - shift_z) * scale_z
        z_fg = (vae.encode(fg) - shift_z) * scale_z
    m = torch.nn.functional.max_pool2d(mask.float()[:, None], f)
    return {"x0": torch.cat([z_bg, z_fg], 1), "cond": torch.cat([z_img, m], 1), "image": img}


def recomposition_loss(vae, x0, image, C, shift_z, scale_z):
    bg = vae.decode(x0[:, :C] / scale_z + shift_z)
    fg = vae.decode(x0[:, C:] / scale_z + shift_z)
    return (fg[:, :3] + (1 - fg[:, 3:4]) * bg[:, :3] - image).abs().mean()


def distance_to_mask(mask: torch.Tensor) -> torch.Tensor:
    """Chamfer distance (steps 1 and sqrt 2, two passes) of every pixel to the mask, as
    main/engine/pipelines/decompose/keep-outside-mask.ts distanceToMask computes it."""
    import numpy as np

    m = mask.numpy().astype(bool)
    h, w = m.shape
    d = np.where(m, 0.0, np.inf)
    r2 = 2 ** 0.5
    for y in range(h):
        for x in range(w):
            v = d[y, x]
            if x > 0: v = min(v, d[y, x - 1] + 1)  # noqa: E701
            if y > 0:
                v = min(v, d[y - 1, x] + 1)
                if x > 0: v = min(v, d[y - 1, x - 1] + r2)  # noqa: E701
                if x < w - 1: v = min(v, d[y - 1, x + 1] + r2)  # noqa: E701
            d[y, x] = v
    for y in range(h - 1, -1, -1):
        for x in range(w - 1, -1, -1):
            v = d[y, x]
            if x < w - 1: v = min(v, d[y, x + 1] + 1)  # noqa: E701
            if y < h - 1:
                v = min(v, d[y + 1, x] + 1)
                if x < w - 1: v = min(v, d[y + 1, x + 1] + r2)  # noqa: E701
                if x > 0: v = min(v, d[y + 1, x - 1] + r2)  # noqa: E701
            d[y, x] = v
    return torch.from_numpy(d).float()


def keep_geometry(width: int, height: int, lw: int, lh: int) -> tuple[int, int]:
    """keep-outside-mask.ts keepGeometry: (radius, feather) in px."""
    import math

    cell = max(width / lw, height / lh)
    return math.ceil(max(cell, 0.06 * max(width, height))), max(2, round(cell / 2))


SHADOW_MIN_DARKENING = 0.04  # unmix-foreground.ts
SHADOW_MAX_SPREAD = 0.12


def finish(image, mask, bg, fg, lw, lh, unmix=True):
    """What the engine does after sampling (decompose-model.ts, keep-outside-mask.ts,
    unmix-foreground.ts): keep the image outside the mask grown by keep_geometry; then
    (unmix) solve the layers from the picture: inside the mask opaque with the picture's
    colour; outside it, where the model's background is evenly lighter than the picture (a
    neutral darkening: a shadow), black at alpha 1 - ratio over the model's background;
    elsewhere the picture as background and an empty foreground. image/bg [3, S, S], fg
    premultiplied [4, S, S]."""
    S = image.shape[-1]
    radius, feather = keep_geometry(S, S, lw, lh)
    keep = ((distance_to_mask(mask) - radius) / feather).clamp(0, 1)  # 1: the image's own
    bg = keep * image + (1 - keep) * bg
    a = fg[3:4] * (1 - keep)
    if not unmix:
        return bg, torch.cat([fg[:3] * (1 - keep), a])
    img8, bg8 = (image * 255).round(), (bg * 255).round()  # the engine works in 8-bit
    r = img8 / bg8.clamp(min=1)
    hi, lo = r.amax(0), r.amin(0)
    alpha = (1 - r.mean(0)).clamp(max=1)
    shadow = (hi <= 1 - SHADOW_MIN_DARKENING) & (hi - lo <= SHADOW_MAX_SPREAD) & (alpha > 0) & ~mask
    out_bg = torch.where(shadow[None] | mask[None], bg, image)
    out_a = torch.where(mask, torch.ones_like(alpha), torch.where(shadow, alpha, torch.zeros_like(alpha)))
    out_rgb = torch.where(mask[None], image, torch.zeros_like(image))
    return out_bg, torch.cat([out_rgb, out_a[None]])


class Decomposer:
    """A trained checkpoint as a decomposition method for decomp_eval: (image [3, S, S],
    mask [S, S] bool, or None: peel the front-most layer) -> (background [3, S, S],
    premultiplied foreground [4, S, S]), sampled
    like main/engine/pipelines/decompose/decompose-model.ts (seeded noise, `steps` Euler
    steps on the linspace sigmas, the empty prompt, no guidance)."""

    def __init__(self, ckpt: Path, steps: int = 20, seed: int = 0, recipe_name="tiny", post: str = "engine"):
        world = World.load()
        self.model, self.recipe, self.vae, text, self.shift, self.scale, _ = load_state(Path(ckpt) / "decomp.pt", DecompDiT, world, recipe_name)
        ids, self.tmask = Tokenizer(world.spec)([""])
        with torch.no_grad():
            self.emb = text(ids, self.tmask)
        self.steps, self.seed, self.calls, self.post = steps, seed, 0, post  # post: raw | keep | engine
        self.C, self.f = self.recipe.vae.latent_channels, self.recipe.vae.scale_factor

    @torch.no_grad()
    def __call__(self, image, mask=None):
        C, f = self.C, self.f
        if mask is None:
            mask = torch.zeros(image.shape[1:], dtype=torch.bool)
        img4 = torch.cat([image, torch.ones_like(image[:1])])[None]
        z_img = (self.vae.encode(img4) - self.shift) * self.scale
        m = torch.nn.functional.max_pool2d(mask.float()[None, None], f)
        cond = torch.cat([z_img, m], 1)
        g = torch.Generator().manual_seed(self.seed + self.calls)
        self.calls += 1
        x = torch.randn(1, 2 * C, *z_img.shape[2:], generator=g)
        sig = torch.linspace(1, 0, self.steps + 1)
        for i in range(self.steps):
            v = self.model(x, cond, sig[i:i + 1], self.emb, self.tmask)
            x = x + (sig[i + 1] - sig[i]) * v
        bg = self.vae.decode(x[:, :C] / self.scale + self.shift)[0]
        fg = self.vae.decode(x[:, C:] / self.scale + self.shift)[0].clamp(0, 1)
        fg = torch.cat([torch.minimum(fg[:3], fg[3:]), fg[3:]])  # premultiplied: colour <= alpha
        bg = bg[:3].clamp(0, 1)
        if self.post == "raw":
            return bg, fg
        if mask is None or not mask.any():  # peel: the engine keeps to the predicted mask
            mask = dd.predicted_mask(fg)
            if mask is None:
                return image.clone(), torch.zeros_like(fg)
        return finish(image, mask, bg, fg, z_img.shape[3], z_img.shape[2], unmix=self.post == "engine")


def train(args, log=print):
    torch.set_num_threads(args.threads)
    world = World.load()
    ckd = Path(args.ckpt)
    state = ck.load(ckd / "decomp.pt")
    base_dir = Path(state["base"]) if state and state.get("base") else (Path(args.base) if args.base else None)
    recipe, vae, text, dit, shift_z, scale_z = load_base(base_dir, world, args.recipe)
    model = DecompDiT(dit)
    if state:
        model.load_state_dict(state["model"])
    elif args.resume_from:  # a new machine: the committed weights, a fresh optimizer
        state = seed_from_resume(model, args.resume_from, "decomp")
    for mod in (vae, text):
        for q in mod.parameters():
            q.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    if state and state["opt"]:
        opt.load_state_dict(state["opt"])
    step = state["step"] if state else 0
    budget = ck.Budget(args.steps, args.cpu_seconds, spent=state["elapsed"] if state else 0.0, clock="cpu")
    tok = Tokenizer(world.spec)
    ids, tmask = tok([""] * args.batch)
    with torch.no_grad():
        emb = text(ids, tmask)
    f = recipe.vae.scale_factor
    C = recipe.vae.latent_channels
    size = recipe.dit.latent_size * f
    last_save = time.process_time()
    while not budget.done(step):
        seeds = dd.train_seeds(world, args.batch, offset=step * args.batch)
        n_peel = int(round(args.peel * args.batch))
        b = make_batch(world, seeds[n_peel:], vae, shift_z, scale_z, f, size, peel_seeds=seeds[:n_peel])  # native size
        x0 = b["x0"]
        t = torch.sigmoid(torch.randn(x0.shape[0]))
        noise = torch.randn_like(x0)
        xt = (1 - t.view(-1, 1, 1, 1)) * x0 + t.view(-1, 1, 1, 1) * noise
        v = model(xt, b["cond"], t, emb, tmask)
        loss_v = (v - (noise - x0)).pow(2).mean()
        x0_hat = xt - t.view(-1, 1, 1, 1) * v
        loss_r = recomposition_loss(vae, x0_hat, b["image"], C, shift_z, scale_z)
        loss = loss_v + args.recomp * loss_r
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % args.log_every == 0:
            log(f"step {step} loss_v {loss_v.item():.4f} recomp {loss_r.item():.4f} cpu {budget.elapsed:.0f}s")
        if time.process_time() - last_save > args.save_seconds:
            save_state(ckd / "decomp.pt", model, opt, step, budget.elapsed, base_dir, recipe, shift_z, scale_z)
            last_save = time.process_time()
    save_state(ckd / "decomp.pt", model, opt, step, budget.elapsed, base_dir, recipe, shift_z, scale_z)
    return step


def export_pack(model, recipe, base_pack: Path, out: Path, pack_id: str, version: str, training: dict) -> dict:
    """decompose_transformer.onnx + the base pack's text encoder, VAE and world.json, with a
    (format 1) manifest whose `decompose` section main/engine/pipelines/pipeline-decompose.ts
    reads through the manifest migration."""
    import onnx

    out.mkdir(parents=True, exist_ok=True)
    C, h = recipe.vae.latent_channels, recipe.dit.latent_size
    T = json.loads((Path(base_pack) / "manifest.json").read_text())["tokenizer"]["max_length"]
    D = recipe.text.dim
    ins = (torch.randn(1, 2 * C, h, h), torch.randn(1, C + 1, h, h), torch.tensor([0.5]), torch.randn(1, T, D),
           torch.ones(1, T, dtype=torch.int64))
    names = ["latent", "cond", "timestep", "text_embeds", "text_mask"]
    path = out / "decompose_transformer.onnx"
    axes = {"latent": {0: "batch"}, "cond": {0: "batch"}, "timestep": {0: "batch"}, "text_embeds": {0: "batch", 1: "text_len"},
            "text_mask": {0: "batch", 1: "text_len"}, "velocity": {0: "batch"}}
    torch.onnx.export(model, ins, str(path), input_names=names, output_names=["velocity"], dynamic_axes=axes,
                      opset_version=OPSET, dynamo=False, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))
    with torch.no_grad():
        diff = ort_max_diff(path, dict(zip(names, ins)), model(*ins))
    graph = {
        "file": "decompose_transformer.onnx",
        "inputs": [{"name": "latent", "dtype": "float32", "dims": ["batch", 2 * C, h, h]},
                   {"name": "cond", "dtype": "float32", "dims": ["batch", C + 1, h, h]},
                   {"name": "timestep", "dtype": "float32", "dims": ["batch"]},
                   {"name": "text_embeds", "dtype": "float32", "dims": ["batch", "text_len", D]},
                   {"name": "text_mask", "dtype": "int64", "dims": ["batch", "text_len"]}],
        "outputs": [{"name": "velocity", "dtype": "float32", "dims": ["batch", 2 * C, h, h]}],
        "onnx_vs_torch_max_abs_diff": diff}
    section = {"targets": ["background", "foreground"], "cond": "[image latent (scaled); mask max-pooled to the latent grid]",
               "prompt": "", "training": training}
    return write_pack(Path(base_pack), out, pack_id=pack_id, version=version, pipeline="decompose",
                      graph=graph, section=section, description="LayerDecomp (models/recipes/decomp.py)",
                      transformer={"joint_sequence": "[text (the empty prompt); image tokens of [bg; fg] + condition]"})


def export(args, log=print):
    model, recipe, _, _, _, _, state = load_state(Path(args.ckpt) / "decomp.pt", DecompDiT, World.load(), args.recipe)
    training = {"steps": state["step"], "cpu_seconds": round(state["elapsed"], 1), "data": "Lamina world train split (decomp_data.py)"}
    manifest = export_pack(model, recipe, Path(args.base_pack), Path(args.out), args.id, args.version, training)
    log(f"exported {args.out} (ORT vs torch max abs diff {manifest['graphs']['transformer']['onnx_vs_torch_max_abs_diff']:.2e})")
    return manifest


def main():
    ap, _, tr, _ = finetune_cli(__doc__, "lamina-decomp", "0.1.0", batch=16, lr=1e-4)
    tr.add_argument("--recomp", type=float, default=1.0)
    tr.add_argument("--peel", type=float, default=0.25, help="share of each batch given no mask (peel the front-most layer)")
    args = ap.parse_args()
    if args.cmd == "train":
        train(args)
    elif args.cmd == "resume-file":
        r = write_resume_file(Path(args.ckpt) / "decomp.pt", Path(args.out), "decomp")
        print(f"wrote {args.out} (step {r['step']}, {r['elapsed']:.0f} CPU s)")
    else:
        export(args)


if __name__ == "__main__":
    main()

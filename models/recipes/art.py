"""ART for the Lamina pack: a fine-tune of the pack's MMDiT that generates a background and
one transparent layer per anonymous box in one pass (issue 17; Anonymous Region
Transformer, arXiv 2502.18364).

Layer-wise region crop: every layer is the pack's latent grid, but a box layer keeps only
the tokens inside its box; all kept tokens of all layers form one joint sequence with the
global prompt's tokens (the pretrained joint attention), each token carrying its 2D
position (the base model's sin-cos embedding, gathered by `pos_index`) and its layer (a
sin-cos layer embedding through a zero-initialised linear map, so step 0 is the
pretrained model on every layer and any layer count up to the manifest's `max_boxes`
runs). The composite (layer 0, full canvas) is generated with the layers as ART does; the
background (layer 1) is full canvas; layers are RGBA (the pack VAE is RGBA), complete
where others hide them (the world renders each layer alone), so reordering later is
compositing. Data and token layout: art_data.py.

Graph IO (`art_transformer.onnx`, fed by main/engine/pipelines/pipeline-art.ts):
  tokens [B, N, C*p*p] f32     noisy latent patches of every kept token (pack latent scaling)
  pos_index [B, N] i64         ty * G + tx on the native token grid
  layer_index [B, N] i64       0 composite, 1 background, 2 + k box k
  token_mask [B, N] f32        1 = a token, 0 = padding (keys masked out)
  timestep [B] f32             sigma in [0, 1], 1 = noise
  text_embeds [B, T, D] f32, text_mask [B, T] f32
  -> velocity [B, N, C*p*p]    (noise - clean), Euler steps as text-to-image

    python -m models.recipes.pack_torch --out /work/ckpt/pack-0.3.0      # the shipped pack as torch
    python -m models.recipes.art train --base /work/ckpt/pack-0.3.0 --ckpt /work/ckpt/art --cpu-seconds 3600
    python -m models.recipes.art export --ckpt /work/ckpt/art --out models/lamina-art
    python -m models.recipes.art resume-file --ckpt /work/ckpt/art      # models/resume/lamina-art.pt

Resumable: rerun the same train line (--cpu-seconds counts CPU time across resumes); on a
new machine add `--resume-from models/resume/lamina-art.pt` (fresh optimizer).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import torch
import torch.nn as nn

from . import art_data as ad
from . import checkpoint as ck
from .mmdit import modulate, timestep_embedding
from .finetune_pack import finetune_cli, load_base, load_state, save_state, seed_from_resume, write_pack, write_resume_file
from .pack_files import ort_max_diff
from .text import Tokenizer
from .text_encoder import NEG
from .world import World

OPSET = 17
MAX_BOXES = 50  # what the graph and pipeline accept (layer embedding is sin-cos: any count runs)
TRAIN_MAX_BOXES = 8  # the world's scenes: up to 6 objects + 2 words


def layer_sincos(index: torch.Tensor, dim: int) -> torch.Tensor:
    """[..., dim] sin-cos embedding of integer layer indices."""
    half = dim // 2
    freqs = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = index.to(torch.float32)[..., None] * freqs
    return torch.cat([torch.sin(a), torch.cos(a)], -1)


class ArtDiT(nn.Module):
    """The base MMDiT over a region-cropped multi-layer token sequence."""

    def __init__(self, base: nn.Module):
        super().__init__()
        self.base = base
        d = base.cfg.dim
        self.layer_embed = nn.Linear(d, d)
        nn.init.zeros_(self.layer_embed.weight)
        nn.init.zeros_(self.layer_embed.bias)
        base.cfg.prediction = "velocity"

    @property
    def grid(self) -> int:
        return self.base.cfg.latent_size // self.base.cfg.patch_size

    def forward(self, tokens, pos_index, layer_index, token_mask, timestep, text_embeds, text_mask):
        m = self.base
        B = tokens.shape[0]
        img = m.patch(tokens) + m.pos[pos_index] + self.layer_embed(layer_sincos(layer_index, m.cfg.dim))
        txt = m.context(text_embeds)
        tm = text_mask.to(tokens.dtype)
        pooled = (text_embeds * tm[..., None]).sum(1) / tm.sum(1, keepdim=True).clamp(min=1.0)
        c = nn.functional.silu(m.t_mlp(timestep_embedding(timestep, 256)) + m.pool_mlp(pooled))
        key_valid = torch.cat([tm, token_mask.to(tokens.dtype)], 1)
        bias = ((1.0 - key_valid) * NEG).view(B, 1, 1, -1)
        for blk in m.blocks:
            txt, img, _, _ = blk(txt, img, c, bias, None, None, None)
        shift, scale = m.final_ada(c).chunk(2, -1)
        return m.final(modulate(m.final_norm(img), shift, scale))


class Sequences:
    """Training sequences: world scenes (train split) encoded once per batch and reused."""

    def __init__(self, world, vae, shift_z, scale_z, recipe, reuse: int):
        self.world, self.vae, self.shift, self.scale = world, vae, shift_z, scale_z
        f, p = recipe.vae.scale_factor, recipe.dit.patch_size
        self.p, self.grid, self.token_px, self.size = p, recipe.dit.latent_size // p, f * p, recipe.dit.latent_size * f
        self.reuse, self.cache, self.uses = reuse, None, 0

    def encode(self, rgba):
        return (self.vae.encode(rgba) - self.shift) * self.scale

    def batch(self, step: int, n: int) -> tuple[dict, list[str]]:
        if self.cache is None or self.uses >= self.reuse:
            seeds = ad.split_seeds(self.world, "train", n, offset=step * n)
            ss = ad.scenes(self.world, seeds, self.size, TRAIN_MAX_BOXES)
            items = [ad.encode_scene(s, self.encode, self.p, self.grid, self.token_px) for s in ss]
            self.cache, self.uses = (ad.collate(items), [s["caption"] for s in ss]), 0
        self.uses += 1
        return self.cache


def flow_loss(model, b: dict, emb, tmask, gen) -> torch.Tensor:
    """Rectified-flow velocity loss over the real tokens (one sigma per sequence)."""
    x0, mask = b["tokens"], b["token_mask"]
    B = x0.shape[0]
    t = torch.sigmoid(torch.randn(B, generator=gen))
    noise = torch.randn(x0.shape, generator=gen)
    xt = (1 - t.view(B, 1, 1)) * x0 + t.view(B, 1, 1) * noise
    v = model(xt, b["pos_index"], b["layer_index"], mask, t, emb, tmask)
    err = (v - (noise - x0)).pow(2).mean(-1)
    return (err * mask).sum() / mask.sum()


def train(args, log=print):
    torch.set_num_threads(args.threads)
    world = World.load()
    ckd = Path(args.ckpt)
    ckd.mkdir(parents=True, exist_ok=True)
    state = ck.load(ckd / "art.pt")
    base_dir = Path(state["base"]) if state and state.get("base") else (Path(args.base) if args.base else None)
    recipe, vae, text, dit, shift_z, scale_z = load_base(base_dir, world, args.recipe)
    model = ArtDiT(dit)
    if state:
        model.load_state_dict(state["model"])
    elif args.resume_from:  # a new machine: the committed weights, a fresh optimizer
        state = seed_from_resume(model, args.resume_from, "art")
    for mod in (vae, text):
        for q in mod.parameters():
            q.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    if state and state["opt"]:
        opt.load_state_dict(state["opt"])
    step = state["step"] if state else 0
    budget = ck.Budget(args.steps, args.cpu_seconds, spent=state["elapsed"] if state else 0.0, clock="cpu")
    tok = Tokenizer(world.spec)
    data = Sequences(world, vae, shift_z, scale_z, recipe, args.reuse)
    gen = torch.Generator().manual_seed(step)
    last_save, t0, loss_avg = time.process_time(), time.time(), None
    log(f"art: base {base_dir or recipe.name}, step {step}, {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M params")
    while not budget.done(step):
        b, caps = data.batch(step, args.batch)
        drop = torch.rand(len(caps), generator=gen) < args.caption_dropout
        ids, tmask = tok(["" if d else c for c, d in zip(caps, drop.tolist())])
        with torch.no_grad():
            emb = text(ids, tmask)
        loss = flow_loss(model, b, emb, tmask, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        loss_avg = loss.item() if loss_avg is None else 0.95 * loss_avg + 0.05 * loss.item()
        if step % args.log_every == 0:
            log(f"art step {step} loss {loss_avg:.4f} tokens/seq {b['token_mask'].sum(1).mean():.0f} "
                f"cpu {budget.elapsed:.0f}s wall {time.time() - t0:.0f}s")
        if time.process_time() - last_save > args.save_seconds:
            save_state(ckd / "art.pt", model, opt, step, budget.elapsed, base_dir, recipe, shift_z, scale_z)
            last_save = time.process_time()
    save_state(ckd / "art.pt", model, opt, step, budget.elapsed, base_dir, recipe, shift_z, scale_z)
    return step


def load(ckpt: Path, recipe_name="tiny"):
    """(model, recipe, vae, text, state) of a trained ART checkpoint folder."""
    model, recipe, vae, text, _, _, state = load_state(Path(ckpt) / "art.pt", ArtDiT, World.load(), recipe_name)
    return model, recipe, vae, text, state


def example_inputs(model, T: int, D: int, boxes=None, batch=1, seed=0):
    """Graph inputs for a layout of token boxes (default: two small boxes on the grid)."""
    g = torch.Generator().manual_seed(seed)
    G = model.grid
    boxes = boxes or ((0, 0, 1, 1), (1, 1, min(G, 3), min(G, 3)))
    pos, lay = ad.layout_indices(boxes, G)
    cfg = model.base.cfg
    N, P = len(pos), cfg.latent_channels * cfg.patch_size ** 2
    mask = torch.ones(batch, N)
    if batch > 1:
        mask[1:, -3:] = 0
    tm = torch.ones(batch, T)
    tm[:, T - 2:] = 0
    return {"tokens": torch.randn(batch, N, P, generator=g), "pos_index": pos.expand(batch, N).contiguous(),
            "layer_index": lay.expand(batch, N).contiguous(), "token_mask": mask,
            "timestep": torch.rand(batch, generator=g), "text_embeds": torch.randn(batch, T, D, generator=g),
            "text_mask": tm}


def export_pack(model, recipe, base_pack: Path, out: Path, pack_id: str, version: str, training: dict) -> dict:
    """art_transformer.onnx + the base pack's text encoder, VAE and world.json, and a
    (format 1) manifest: the base's sections, the ART graph as its transformer, an `art`
    section (main/engine/pipelines/pipeline-art.ts reads it through the manifest migration)."""
    import onnx

    out.mkdir(parents=True, exist_ok=True)
    C, p = recipe.vae.latent_channels, recipe.dit.patch_size
    D = recipe.text.dim
    T = json.loads((base_pack / "manifest.json").read_text())["tokenizer"]["max_length"]
    ins = example_inputs(model, T, D)
    names = list(ins)
    path = out / "art_transformer.onnx"
    axes = {n: {0: "batch", 1: "tokens"} for n in ("tokens", "pos_index", "layer_index", "token_mask")}
    axes.update(timestep={0: "batch"}, text_embeds={0: "batch", 1: "text_len"}, text_mask={0: "batch", 1: "text_len"},
                velocity={0: "batch", 1: "tokens"})
    torch.onnx.export(model, tuple(ins.values()), str(path), input_names=names, output_names=["velocity"],
                      dynamic_axes=axes, opset_version=OPSET, dynamo=False, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))
    G = model.grid
    check = example_inputs(model, 13, D, boxes=((0, 0, 1, 1), (1, 0, G, G // 2 + 1), (G // 2, G // 2, G, G)), batch=2, seed=1)
    with torch.no_grad():
        diff = ort_max_diff(path, check, model(**check))
    P = C * p * p
    tok = lambda name, dt: {"name": name, "dtype": dt, "dims": ["batch", "tokens"]}  # noqa: E731
    graph = {
        "file": "art_transformer.onnx",
        "inputs": [{"name": "tokens", "dtype": "float32", "dims": ["batch", "tokens", P]},
                   tok("pos_index", "int64"), tok("layer_index", "int64"), tok("token_mask", "float32"),
                   {"name": "timestep", "dtype": "float32", "dims": ["batch"]},
                   {"name": "text_embeds", "dtype": "float32", "dims": ["batch", "text_len", D]},
                   {"name": "text_mask", "dtype": "float32", "dims": ["batch", "text_len"]}],
        "outputs": [{"name": "velocity", "dtype": "float32", "dims": ["batch", "tokens", P]}],
        "onnx_vs_torch_max_abs_diff": diff}
    section = {"max_boxes": MAX_BOXES, "trained_boxes": TRAIN_MAX_BOXES, "token_px": recipe.vae.scale_factor * p,
               "layers": "0 composite (full canvas), 1 background (full canvas), 2 + k box k (its box's tokens)",
               "outside_box": "a box layer's latent outside its tokens = vae_encoder(transparent image); "
                              "its decoded alpha is confined to the box",
               "training": training}
    manifest = write_pack(base_pack, out, pack_id=pack_id, version=version, pipeline="art", graph=graph, section=section,
                          description="ART (anonymous-region multi-layer generation, models/recipes/art.py)",
                          transformer={"joint_sequence": "[text; kept tokens of every layer]",
                                       "attn_bias": "none (token_mask masks padding keys)"})
    return manifest


def export(args, log=print):
    model, recipe, _, _, state = load(Path(args.ckpt), args.recipe)
    training = {"steps": state["step"], "cpu_seconds": round(state["elapsed"], 1), "data": "Lamina world train split"}
    m = export_pack(model, recipe, Path(args.base_pack), Path(args.out), args.id, args.version, training)
    log(f"exported {args.out} (ORT vs torch max abs diff {m['graphs']['transformer']['onnx_vs_torch_max_abs_diff']:.2e})")
    return m


def main():
    ap, sub, tr, _ = finetune_cli(__doc__, "lamina-art", "0.1.0", batch=8, lr=2e-4)
    tr.add_argument("--reuse", type=int, default=2, help="steps each encoded batch feeds")
    tr.add_argument("--caption-dropout", type=float, default=0.1)
    args = ap.parse_args()
    if args.cmd == "train":
        train(args)
    elif args.cmd == "resume-file":
        r = write_resume_file(Path(args.ckpt) / "art.pt", Path(args.out), "art")
        print(f"wrote {args.out} (step {r['step']}, {r['elapsed']:.0f} CPU s)")
    else:
        export(args)


if __name__ == "__main__":
    main()

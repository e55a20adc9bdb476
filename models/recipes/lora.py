"""LoRA adapters on chosen joint blocks of a trained MMDiT (issue 18 item 3).

Only the attention projections of the chosen blocks get a low-rank update (the text and/or
image stream's `qkv` and `proj` Linear layers of mmdit.Stream): W' = W + strength *
(alpha / rank) * B @ A, with A [rank, in] random and B [out, rank] zero at the start (so a
fresh adapter is the base model exactly). Every base weight stays frozen. The data is the
Lamina world's composites with their global captions (data.dit_batch's composites), biased
toward scenes that show words (`--word-fraction`), for the text-rendering adapter.

    python -m models.recipes.lora --pack models/lamina-tiny --blocks 2 --rank 4 --seconds 600 \
        --out /tmp/lora/text-lora.safetensors --ship /tmp/lamina-tiny-lora

trains on the shipped pack's own weights (read back from its graphs, pack_torch), writes the
adapter (safetensors: `<module>.lora_A`, `<module>.lora_B` per target, metadata with rank,
alpha, blocks and the training record) and, with `--ship DIR`, a copy of the pack with the
adapter listed in its manifest (`adapters` section: file, targets with the graph
initializer each one changes, rank, alpha, default strength; every file's sha256). The
engine merges the adapter into the transformer's weights at run time (docs/lora.md).
`--base DIR` (a training or pack_torch checkpoint folder) or `--resume-from FILE` (a
committed resume file, models/resume/*.pt) train on other weights instead; `--ckpt DIR`
makes the run resumable (rerun the same line); `--blocks all` puts the adapter on every
block (the comparison the issue asks for).
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoint as ck
from .data import _train_seeds
from .world import World

STREAMS = ("txt", "img")
PROJECTIONS = ("qkv", "proj")
LORA_SEED_BASE = 700_000_000
ADAPTER_FORMAT = "lamina-lora"


class LoRALinear(nn.Module):
    """A frozen Linear plus a low-rank update: base(x) + strength * (alpha / rank) * x A^T B^T."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, seed: int = 0):
        super().__init__()
        if rank < 1:
            raise ValueError(f"LoRA rank must be >= 1 (got {rank})")
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        g = torch.Generator().manual_seed(seed)
        bound = 1.0 / base.in_features ** 0.5  # kaiming-uniform(a=sqrt(5)), as nn.Linear and peft
        self.lora_A = nn.Parameter((torch.rand(rank, base.in_features, generator=g) * 2 - 1) * bound)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.rank, self.alpha, self.strength = rank, float(alpha), 1.0

    @property
    def scale(self) -> float:
        return self.strength * self.alpha / self.rank

    def forward(self, x):
        return self.base(x) + self.scale * F.linear(F.linear(x, self.lora_A), self.lora_B)

    def delta(self) -> torch.Tensor:
        """The weight update [out, in] at the current strength."""
        return self.scale * (self.lora_B @ self.lora_A)


def parse_blocks(spec: str, block_count: int) -> list[int]:
    """"2" / "1,3" / "all" -> sorted block indices; a clear error for an index out of range."""
    if spec.strip() == "all":
        return list(range(block_count))
    blocks = sorted({int(b) for b in spec.split(",") if b.strip()})
    bad = [b for b in blocks if not 0 <= b < block_count]
    if not blocks or bad:
        raise SystemExit(f"--blocks {spec!r}: expected 'all' or block indices in 0..{block_count - 1}")
    return blocks


def target_names(dit, blocks, streams=STREAMS, projections=PROJECTIONS) -> list[str]:
    """Module paths ("blocks.2.txt.qkv") of the Linear layers an adapter on `blocks` changes.
    The last block's text-stream `proj` is left out: its output is never read (the exported
    graph does not even hold it, pack_torch._dead)."""
    last = dit.cfg.blocks - 1
    return [f"blocks.{b}.{s}.{p}" for b in blocks for s in streams for p in projections
            if not (b == last and s == "txt" and p == "proj")]


def apply_lora(dit, blocks, rank: int, alpha: float, streams=STREAMS, projections=PROJECTIONS) -> dict[str, LoRALinear]:
    """Freeze `dit` and wrap the targets in LoRALinear (in place); -> {module path: wrapper}."""
    for p in dit.parameters():
        p.requires_grad_(False)
    wrapped = {}
    for i, name in enumerate(target_names(dit, blocks, streams, projections)):
        parent_name, attr = name.rsplit(".", 1)
        parent = dit.get_submodule(parent_name)
        layer = LoRALinear(getattr(parent, attr), rank, alpha, seed=1000 + i)
        setattr(parent, attr, layer)
        wrapped[name] = layer
    return wrapped


def lora_parameters(wrapped: dict[str, LoRALinear]) -> list[nn.Parameter]:
    return [p for w in wrapped.values() for p in (w.lora_A, w.lora_B)]


def set_strength(wrapped: dict[str, LoRALinear], strength: float) -> None:
    for w in wrapped.values():
        w.strength = float(strength)


@torch.no_grad()
def merged_state(dit, wrapped: dict[str, LoRALinear]) -> dict[str, torch.Tensor]:
    """The plain MMDiT state dict with every adapter merged at its strength (W + delta)."""
    out = {}
    for k, v in dit.state_dict().items():
        if ".lora_" in k:
            continue
        out[k.replace(".base.", ".")] = v.clone()
    for name, w in wrapped.items():
        out[f"{name}.weight"] += w.delta()
    return out


def word_batch(world: World, step: int, batch: int, size: int, word_fraction: float):
    """Composites with their global captions, `word_fraction` of them from scenes that show
    at least one word (the rest as the world draws them): (premultiplied rgba, captions)."""
    cand = _train_seeds(world, LORA_SEED_BASE, step, batch * 4)
    has_words = world.sample(cand, 32).word_active.any(1)  # words are a function of the seed, not the size
    n_words = int(round(batch * word_fraction))
    worded, plain = cand[has_words], cand[~has_words]
    seeds = torch.cat([worded[:n_words], plain, worded[n_words:]])[:batch]
    sc = world.sample(seeds, size)
    out = world.render(sc, layers=False)
    rgba = torch.ones(batch, 4, size, size, device=world.device)
    rgba[:, :3] = out["composite"]
    return rgba, world.captions(sc)


def load_base_model(args, world: World):
    """(recipe, vae, text, dit, shift, scale, source) from --pack / --base / --resume-from."""
    from . import config as config_lib
    from .finetune_pack import load_base
    from .train import build

    if args.pack:
        from .pack_torch import load_pack
        recipe, vae, text, dit, shift, scale = load_pack(Path(args.pack), world)
        return recipe, vae, text, dit, shift, scale, f"pack {args.pack}"
    if args.resume_from:
        seed = ck.load_resume(Path(args.resume_from))
        recipe = config_lib.from_dict(seed["recipe"])
        vae, text, dit = build(recipe, world)
        vae.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in seed["vae"]["model"].items()})
        text.load_state_dict(seed["ema_text"])
        dit.load_state_dict(seed["ema_dit"])
        return (recipe, vae.eval(), text.eval(), dit.eval(), float(seed["latent_shift"]), float(seed["latent_scale"]),
                f"resume file {args.resume_from} (step {seed['step']})")
    recipe, vae, text, dit, shift, scale = load_base(Path(args.base) if args.base else None, world, args.recipe)
    return recipe, vae, text, dit.eval(), shift, scale, f"checkpoint {args.base}" if args.base else f"random {args.recipe}"


def train(args, log=print) -> dict:
    """Train the adapter within the budget; -> the training record (also in the adapter's metadata)."""
    from .sampling import shift_sigma
    from .text import Tokenizer

    torch.set_num_threads(args.threads)
    world = World.load()
    recipe, vae, text, dit, shift_z, scale_z, source = load_base_model(args, world)
    for m in (vae, text):
        for p in m.parameters():
            p.requires_grad_(False)
    base_params = sum(p.numel() for p in dit.parameters())
    blocks = parse_blocks(args.blocks, dit.cfg.blocks)
    wrapped = apply_lora(dit, blocks, args.rank, args.alpha, args.streams.split(","), args.projections.split(","))
    params = lora_parameters(wrapped)
    trainable = sum(p.numel() for p in params)
    opt = torch.optim.AdamW(params, lr=args.lr, betas=(0.9, 0.99), weight_decay=0.0)
    state_path = Path(args.ckpt) / "lora_state.pt" if args.ckpt else None
    state = ck.load(state_path) if state_path else None
    step, spent = 0, 0.0
    if state:
        if state["blocks"] != blocks or state["rank"] != args.rank:
            raise SystemExit(f"{state_path}: a run on blocks {state['blocks']} rank {state['rank']}; use another --ckpt")
        dit.load_state_dict(state["lora"], strict=False)
        opt.load_state_dict(state["opt"])
        step, spent = state["step"], state["elapsed"]
        log(f"lora: resumed at step {step} ({spent:.0f} s spent)")
    budget = ck.Budget(args.steps, args.seconds, spent, "cpu")
    log(f"lora: base {source}; blocks {blocks}, rank {args.rank}, alpha {args.alpha}: {len(wrapped)} layers, "
        f"{trainable} trainable parameters ({100 * trainable / base_params:.3f} % of the transformer's {base_params})")
    tok = Tokenizer(world.spec)
    tc = recipe.train
    gen = torch.Generator()
    loss_avg, seen, t0 = None, 0, time.time()

    def save(final=False):
        if state_path:
            ck.save(state_path, {"lora": {k: v for k, v in dit.state_dict().items() if ".lora_" in k}, "opt": opt.state_dict(),
                                 "step": step, "elapsed": budget.elapsed, "blocks": blocks, "rank": args.rank, "done": final})

    last_save = time.time()
    while not budget.done(step):
        gen.manual_seed(args.seed * 1_000_003 + step)
        lr = ck.lr_at(step, args.lr, min(20, args.steps), args.steps, 0.1, budget.time_progress())
        for g in opt.param_groups:
            g["lr"] = lr
        rgba, caps = word_batch(world, step, args.batch, tc.image_size, args.word_fraction)
        with torch.no_grad():
            z0 = (vae.encode(rgba) - shift_z) * scale_z
        drop = torch.rand(len(caps), generator=gen) < tc.caption_dropout
        caps = ["" if d else c for c, d in zip(caps, drop.tolist())]
        ids, mask = tok(caps, "cpu")
        B = z0.shape[0]
        t = shift_sigma(torch.sigmoid(torch.randn(B, generator=gen)), tc.flow_shift)
        noise = torch.randn(z0.shape, generator=gen)
        xt = (1 - t.view(B, 1, 1, 1)) * z0 + t.view(B, 1, 1, 1) * noise
        with torch.no_grad():
            emb = text(ids, mask)
        v, _, _ = dit(xt, t, emb, mask)
        loss = F.mse_loss(v, noise - z0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        seen += B
        loss_avg = loss.item() if loss_avg is None else 0.95 * loss_avg + 0.05 * loss.item()
        if step % args.log_every == 0:
            log(f"lora step {step} loss {loss_avg:.4f} lr {lr:.2e} {seen / (time.time() - t0):.1f} samples/s")
        if time.time() - last_save > args.save_seconds:
            save()
            last_save = time.time()
    save(final=True)
    record = {"steps": step, "cpu_seconds": round(budget.elapsed, 1), "samples": step * args.batch,
              "batch": args.batch, "lr": args.lr, "word_fraction": args.word_fraction,
              "final_loss": None if loss_avg is None else round(loss_avg, 5), "base": source,
              "trainable_parameters": trainable, "transformer_parameters": base_params,
              "data": "Lamina world train split composites with global captions"}
    write_adapter(Path(args.out), wrapped, blocks, args.rank, args.alpha, record)
    log(f"lora: wrote {args.out}: {step} steps in {budget.elapsed:.0f} CPU s, loss {record['final_loss']}")
    return record


def write_adapter(path: Path, wrapped: dict[str, LoRALinear], blocks, rank: int, alpha: float, record: dict) -> None:
    from safetensors.torch import save_file

    tensors = {}
    for name, w in wrapped.items():
        tensors[f"{name}.lora_A"] = w.lora_A.detach().float().contiguous()
        tensors[f"{name}.lora_B"] = w.lora_B.detach().float().contiguous()
    meta = {"format": ADAPTER_FORMAT, "rank": str(rank), "alpha": str(alpha), "blocks": json.dumps(blocks),
            "targets": json.dumps(list(wrapped)), "training": json.dumps(record)}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=meta)


def read_adapter(path: Path) -> tuple[dict[str, torch.Tensor], dict]:
    """(tensors, metadata with rank/alpha as numbers and blocks/targets/training parsed)."""
    from safetensors import safe_open

    with safe_open(str(path), "pt") as f:
        meta = f.metadata() or {}
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    if meta.get("format") != ADAPTER_FORMAT:
        raise SystemExit(f"{path}: not a Lamina LoRA adapter (metadata format {meta.get('format')!r})")
    return tensors, {"rank": int(meta["rank"]), "alpha": float(meta["alpha"]), "blocks": json.loads(meta["blocks"]),
                     "targets": json.loads(meta["targets"]), "training": json.loads(meta.get("training", "{}"))}


def load_adapter(dit, path: Path) -> dict[str, LoRALinear]:
    """Wrap `dit`'s targets and load an adapter file into them (strength 1)."""
    tensors, meta = read_adapter(path)
    wrapped = {}
    for name in meta["targets"]:
        parent_name, attr = name.rsplit(".", 1)
        parent = dit.get_submodule(parent_name)
        layer = LoRALinear(getattr(parent, attr), meta["rank"], meta["alpha"])
        with torch.no_grad():
            layer.lora_A.copy_(tensors[f"{name}.lora_A"])
            layer.lora_B.copy_(tensors[f"{name}.lora_B"])
        setattr(parent, attr, layer)
        wrapped[name] = layer
    return wrapped


def manifest_section(adapter: Path, transformer_onnx: Path, default_strength: float = 1.0) -> dict:
    """The format 1 manifest's entry for an adapter file: the graph initializer each target
    changes (the Linear's W^T, [in, out]: found through its MatMul + bias Add, pack_torch)."""
    from .pack_torch import linear_initializers

    tensors, meta = read_adapter(adapter)
    inits = linear_initializers(transformer_onnx)
    targets = []
    for name in meta["targets"]:
        init = inits.get(f"{name}.weight")
        if init is None:
            raise SystemExit(f"{transformer_onnx}: no initializer for {name}.weight (has: {sorted(inits)[:6]} ...)")
        out_f, rank = tensors[f"{name}.lora_B"].shape
        targets.append({"module": name, "initializer": init, "layout": "in_out",
                        "in": int(tensors[f"{name}.lora_A"].shape[1]), "out": int(out_f)})
    return {"kind": "lora", "file": adapter.name, "graph": "transformer", "rank": meta["rank"], "alpha": meta["alpha"],
            "default_strength": default_strength, "blocks": meta["blocks"], "targets": targets,
            "training": meta["training"]}


def ship(pack: Path, adapter: Path, out: Path, adapter_id: str, default_strength: float = 1.0,
         description: str = "") -> dict:
    """A copy of `pack` in `out` with `adapter` added and declared in the manifest (sha256 of every file)."""
    from .pack_files import file_table

    pack, out = Path(pack), Path(out)
    if out.resolve() != pack.resolve():
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(pack, out)
    shutil.copy(adapter, out / adapter.name)
    manifest = json.loads((out / "manifest.json").read_text())
    section = manifest_section(out / adapter.name, out / manifest["graphs"]["transformer"]["file"], default_strength)
    if description:
        section["description"] = description
    manifest.setdefault("adapters", {})[adapter_id] = section
    manifest["files"] = file_table(out)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--pack", default=None, help="train on a pack's own weights (read back from its graphs)")
    src.add_argument("--base", "--pack-ckpt", dest="base", default=None,
                     help="a checkpoint folder with vae.pt + dit.pt (training, or pack_torch's readback)")
    src.add_argument("--resume-from", default=None, help="a committed resume file (models/resume/*.pt)")
    ap.add_argument("--recipe", default="tiny", help="without a base: a random model of this recipe (tests)")
    ap.add_argument("--blocks", default="2", help="joint block indices ('2', '1,3') or 'all'")
    ap.add_argument("--streams", default="txt,img")
    ap.add_argument("--projections", default="qkv,proj")
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--alpha", type=float, default=None, help="default: the rank (scale 1)")
    ap.add_argument("--seconds", type=float, default=None, help="CPU-seconds budget (this process, all threads)")
    ap.add_argument("--steps", type=int, default=10 ** 9)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--word-fraction", type=float, default=1.0, help="share of each batch from scenes with words")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--save-seconds", type=float, default=120)
    ap.add_argument("--ckpt", default=None, help="folder for the resumable state (lora_state.pt)")
    ap.add_argument("--out", required=True, help="the adapter file (.safetensors)")
    ap.add_argument("--ship", default=None, help="write a copy of --pack with the adapter declared in its manifest here")
    ap.add_argument("--adapter-id", default="text-lora")
    ap.add_argument("--default-strength", type=float, default=1.0)
    a = ap.parse_args(argv)
    if a.alpha is None:
        a.alpha = float(a.rank)
    if a.seconds is None and a.steps == 10 ** 9:
        ap.error("give --seconds or --steps")
    if a.ship and not a.pack:
        ap.error("--ship needs --pack (the adapter is declared against that pack's transformer graph)")
    record = train(a)
    if a.ship:
        ship(Path(a.pack), Path(a.out), Path(a.ship), a.adapter_id, a.default_strength,
             f"LoRA on joint block(s) {a.blocks} attention projections (rank {a.rank}), trained on scenes with words")
        print(f"shipped {a.ship}")
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()

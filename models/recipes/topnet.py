"""TopNet for Lamina (issue 14; after Zhu et al., "TopNet: Transformer-based Object
Placement Network for Image Compositing", CVPR 2023): one forward pass maps a background
and an object to a heatmap over (scale, y, x) of where the object plausibly goes.

    background [1, 3, 128, 128] --conv stem--> 16 x 16 grid of local features (+ a
                                  32 x 32 skip for the head)
    object [1, 4, 32, 32] + size --conv + MLP--> one global object feature
    [object token; grid tokens + object feature + 2D positions] --transformer (3 blocks)
    grid tokens --upsampling head (+ skip, + coordinates)--> logits [1, S, 64, 64]

S = 11 scale bins, log-spaced 0.5x .. 2x of the object's current size; cell (i, j) is the
bottom-centre of the placed object's box at ((j + 0.5) / 64, (i + 0.5) / 64).

Loss (cannot collapse to an all-plausible map): a per-map softmax over all S*64*64 cells,
maximizing the probability mass on the exact plausible set (-log sum_{pos} p), plus a
per-cell binary cross-entropy in which every cell outside the exact volume is a negative.

Train (resumable, CPU-seconds budget):
    nice -n 10 python -m models.recipes.topnet train --ckpt /tmp/topnet --cpu-seconds 900
Export (ONNX + format 2 manifest + checksums):
    python -m models.recipes.topnet export --ckpt /tmp/topnet --out models/lamina-place
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoint as ck
from .pack_files import file_table, ort_max_diff
from .topnet_data import BG, GRID, N_SCALES, OBJ, SCALES, build_cache, flip_batch
from .world import REPO, World


def cpu_seconds() -> float:
    return time.process_time()


def file_logger(path: Path):
    """print + append to a log file, with a time stamp."""
    f = open(path, "a")

    def log(msg):
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        f.write(line + "\n")
        f.flush()

    return log


def resume(path: Path, model, opt, log):
    """Load a checkpoint into model + optimizer when there is one: (step, CPU seconds spent)."""
    state = ck.load(path)
    if not state:
        return 0, 0.0
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    log(f"resumed at step {state['step']}, {state['cpu_seconds']:.0f} CPU s")
    return state["step"], state["cpu_seconds"]


def budget_lr(base, step, progress, warmup=100):
    """Linear warmup, then cosine to 5 % over the CPU-seconds budget (progress 0..1)."""
    return base * min(1.0, (step + 1) / warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


# ---------------------------------------------------------------------- model
class Block(nn.Module):
    def __init__(self, d, heads, mlp=2):
        super().__init__()
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, mlp * d), nn.GELU(), nn.Linear(mlp * d, d))
        self.heads = heads

    def forward(self, x):
        B, N, D = x.shape
        h = self.heads
        q, k, v = self.qkv(self.n1(x)).reshape(B, N, 3, h, D // h).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // h), -1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, N, D))
        return x + self.mlp(self.n2(x))


def coords(n, device):
    p = (torch.arange(n, device=device, dtype=torch.float32) + 0.5) / n * 2 - 1
    y, x = torch.meshgrid(p, p, indexing="ij")
    return torch.stack([x, y])[None]  # [1, 2, n, n]


class TopNet(nn.Module):
    def __init__(self, d=64, depth=3, heads=4, scales=N_SCALES):
        super().__init__()
        self.cfg = dict(d=d, depth=depth, heads=heads, scales=scales)
        self.stem1 = nn.Sequential(nn.Conv2d(5, 32, 4, 4), nn.GELU())  # + coords -> 32 x 32
        self.stem2 = nn.Sequential(nn.Conv2d(32, 64, 3, 2, 1), nn.GELU(), nn.Conv2d(64, d, 1))  # 16 x 16
        self.obj_conv = nn.Sequential(nn.Conv2d(4, 32, 4, 4), nn.GELU(), nn.Conv2d(32, 64, 3, 2, 1), nn.GELU())
        self.obj_fc = nn.Linear(64 * 16, d)
        self.size_fc = nn.Sequential(nn.Linear(4, d), nn.GELU(), nn.Linear(d, d))
        self.obj_to_grid = nn.Linear(d, d)
        self.pos = nn.Parameter(torch.randn(1, 256, d) * 0.02)
        self.obj_tok = nn.Parameter(torch.zeros(1, 1, d))
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(d)
        self.up1 = nn.ConvTranspose2d(d, 32, 2, 2)  # 32 x 32
        self.mix1 = nn.Sequential(nn.Conv2d(32 + 32 + 2, 32, 1), nn.GELU(), nn.Conv2d(32, 32, 3, 1, 1), nn.GELU())
        self.up2 = nn.ConvTranspose2d(32, 16, 2, 2)  # 64 x 64
        self.mix2 = nn.Sequential(nn.Conv2d(16 + 2, 16, 3, 1, 1), nn.GELU(), nn.Conv2d(16, scales, 1))
        self.scale_bias = nn.Linear(d, scales)

    def forward(self, background, obj, object_size):
        B = background.shape[0]
        dev = background.device
        c128 = coords(BG, dev).expand(B, -1, -1, -1)
        f32 = self.stem1(torch.cat([background * 2 - 1, c128], 1))  # [B, 32, 32, 32]
        g = self.stem2(f32)  # [B, d, 16, 16]
        d = g.shape[1]
        o = self.obj_conv(obj * 2 - 1).flatten(1)
        ls = torch.log(object_size.clamp(min=1e-3))
        o = self.obj_fc(o) + self.size_fc(torch.cat([object_size, ls], 1))  # [B, d]
        tok = g.flatten(2).transpose(1, 2) + self.pos + self.obj_to_grid(o)[:, None]
        x = torch.cat([self.obj_tok.expand(B, -1, -1) + o[:, None], tok], 1)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        grid = x[:, 1:].transpose(1, 2).reshape(B, d, 16, 16)
        h = self.up1(grid)
        h = self.mix1(torch.cat([h, f32, coords(32, dev).expand(B, -1, -1, -1)], 1))
        h = self.up2(h)
        logits = self.mix2(torch.cat([h, coords(GRID, dev).expand(B, -1, -1, -1)], 1))
        return logits + self.scale_bias(x[:, 0])[:, :, None, None]  # [B, S, 64, 64]


def topnet_loss(logits, volume, bce_weight=1.0):
    """Softmax over every cell of each map: -log(mass on the exact plausible set); plus
    BCE with every implausible cell a negative (positives weighted to balance)."""
    B = logits.shape[0]
    flat = logits.reshape(B, -1)
    pos = volume.reshape(B, -1)
    lse_all = torch.logsumexp(flat, 1)
    lse_pos = torch.logsumexp(flat.masked_fill(~pos, -1e4), 1)
    set_nll = (lse_all - lse_pos).mean()
    frac = pos.float().mean().clamp(min=1e-4)
    bce = F.binary_cross_entropy_with_logits(flat, pos.float(), pos_weight=((1 - frac) / frac).clamp(max=50))
    return set_nll + bce_weight * bce, set_nll.detach(), bce.detach()


# ---------------------------------------------------------------------- train
def batch_from_cache(cache, idx, flip):
    b = {
        "background": cache["background"][idx].float() / 255,
        "object": cache["object"][idx].float() / 255,
        "object_size": cache["object_size"][idx],
        "volume": cache["volume"][idx],
    }
    return flip_batch(b, flip)


@torch.no_grad()
def top1_rate(model, cache, n=256, bs=64):
    model.eval()
    hits = 0
    n = min(n, cache["background"].shape[0])
    for i in range(0, n, bs):
        idx = torch.arange(i, min(n, i + bs))
        b = batch_from_cache(cache, idx, torch.zeros(len(idx), dtype=torch.bool))
        lg = model(b["background"], b["object"], b["object_size"]).flatten(1)
        best = lg.argmax(1)
        hits += b["volume"].flatten(1)[torch.arange(len(idx)), best].sum().item()
    model.train()
    return hits / n


def get_cache(world, path: Path, seeds, log):
    if path.exists():
        return torch.load(path, weights_only=False)
    t0 = time.time()
    c = build_cache(world, seeds, log=log)
    ck.save(path, c)
    log(f"cache {path.name}: {len(seeds)} samples in {time.time() - t0:.0f}s")
    return c


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ckdir = Path(args.ckpt)
    ckdir.mkdir(parents=True, exist_ok=True)
    log = file_logger(ckdir / "train.log")
    world = World.load()
    tr0 = world.spec["splits"]["train"][0]
    va0 = world.spec["splits"]["val"][0]
    train_cache = get_cache(world, ckdir / "data_train.pt", range(tr0, tr0 + args.train_scenes), log)
    val_cache = get_cache(world, ckdir / "data_val.pt", range(va0, va0 + args.val_scenes), log)
    model = TopNet(d=args.d, depth=args.depth)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    step, spent = resume(ckdir / "topnet.pt", model, opt, log)
    g = torch.Generator().manual_seed(1234 + step)
    N = train_cache["background"].shape[0]
    budget = args.cpu_seconds
    t_start = cpu_seconds() - spent

    def save():
        ck.save(ckdir / "topnet.pt", {"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                                      "cpu_seconds": cpu_seconds() - t_start, "cfg": model.cfg,
                                      "scales": SCALES, "grid": GRID})

    last_save = cpu_seconds()
    while cpu_seconds() - t_start < budget:
        lr = budget_lr(args.lr, step, (cpu_seconds() - t_start) / budget)
        for pg in opt.param_groups:
            pg["lr"] = lr
        idx = torch.randint(0, N, (args.batch,), generator=g)
        flip = torch.rand(args.batch, generator=g) < 0.5
        b = batch_from_cache(train_cache, idx, flip)
        logits = model(b["background"], b["object"], b["object_size"])
        loss, nll, bce = topnet_loss(logits, b["volume"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            log(f"step {step} loss {loss.item():.4f} set_nll {nll.item():.4f} bce {bce.item():.4f} lr {lr:.2e} "
                f"cpu {cpu_seconds() - t_start:.0f}s")
        if step % 300 == 0:
            log(f"step {step} val top-1 plausible {top1_rate(model, val_cache):.3f}")
        if cpu_seconds() - last_save > 60:
            save()
            last_save = cpu_seconds()
    save()
    log(f"done: step {step}, {cpu_seconds() - t_start:.0f} CPU s, val top-1 plausible {top1_rate(model, val_cache):.3f}")


# ---------------------------------------------------------------------- export
def load_model(ckpt_dir) -> tuple[TopNet, dict]:
    state = ck.load(Path(ckpt_dir) / "topnet.pt")
    if state is None:
        raise SystemExit(f"{ckpt_dir}/topnet.pt: no checkpoint (train first)")
    cfg = state["cfg"]
    m = TopNet(d=cfg["d"], depth=cfg["depth"], heads=cfg["heads"], scales=cfg["scales"])
    m.load_state_dict(state["model"])
    return m.eval(), state


def export(args):
    model, state = load_model(args.ckpt)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    ex = (torch.rand(1, 3, BG, BG, generator=g), torch.rand(1, 4, OBJ, OBJ, generator=g), torch.tensor([[0.2, 0.25]]))
    onnx_path = out / "topnet.onnx"
    torch.onnx.export(model, ex, str(onnx_path), input_names=["background", "object", "object_size"],
                      output_names=["logits"], opset_version=17, dynamo=False)
    with torch.no_grad():
        err = ort_max_diff(onnx_path, dict(zip(["background", "object", "object_size"], ex)), model(*ex))
    print(f"ORT parity: max |diff| {err:.2e}")
    assert err < 1e-3, err
    about = {"trained": {"steps": state["step"], "cpu_seconds": round(state["cpu_seconds"]),
                         "recipe": "python -m models.recipes.topnet train", "data": "Lamina world train split"}}
    if args.about:
        about.update(json.loads(Path(args.about).read_text()))
    graph = {
        "file": "topnet.onnx",
        "inputs": [
            {"name": "background", "dtype": "float32", "dims": [1, 3, BG, BG], "description": "sRGB in [0, 1]"},
            {"name": "object", "dtype": "float32", "dims": [1, 4, OBJ, OBJ],
             "description": "premultiplied RGBA in [0, 1]: the object's alpha box, fitted (aspect kept) at the bottom centre"},
            {"name": "object_size", "dtype": "float32", "dims": [1, 2],
             "description": "the object's alpha box width / background width, height / background height"},
        ],
        "outputs": [{"name": "logits", "dtype": "float32", "dims": [1, N_SCALES, GRID, GRID]}],
    }
    manifest = {
        "format": "lamina-model-pack", "formatVersion": 2,
        "id": "lamina-place", "version": args.version, "license": "MIT",
        "description": "TopNet-style placement heatmap trained on the Lamina world (issue 14)",
        "pipelines": ["placement"],
        "native": {"width": BG, "height": BG},
        "resolution": {"fixed": True, "multipleOf": 1},
        "components": {
            "placement": {
                "graph": "topnet",
                "io": {"background": "background", "object": "object", "objectSize": "object_size", "logits": "logits"},
                "background": {"width": BG, "height": BG},
                "object": {"width": OBJ, "height": OBJ, "alphaBox": 0.5},
                "heatmap": {"width": GRID, "height": GRID},
                "scales": [round(s, 6) for s in SCALES],
                "anchor": "bottom-centre",
            }
        },
        "graphs": {"topnet": graph},
        "files": {},
        "about": about,
    }
    manifest["files"] = file_table(out)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {out}/manifest.json ({len(manifest['files'])} files)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--ckpt", required=True)
    t.add_argument("--cpu-seconds", type=float, default=900)
    t.add_argument("--train-scenes", type=int, default=12000)
    t.add_argument("--val-scenes", type=int, default=256)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--d", type=int, default=64)
    t.add_argument("--depth", type=int, default=3)
    t.add_argument("--threads", type=int, default=1)
    e = sub.add_parser("export")
    e.add_argument("--ckpt", required=True)
    e.add_argument("--out", default=str(REPO / "models" / "lamina-place"))
    e.add_argument("--version", default="0.1.0")
    e.add_argument("--about", default=None, help="JSON file merged into manifest.about")
    args = ap.parse_args(argv)
    {"train": train, "export": export}[args.cmd](args)


if __name__ == "__main__":
    main()

"""Baseline (c) for TopNet: a placement discriminator scored by sliding window.

D looks at one candidate placement (bottom-centre xc, yb in background fractions, scale s
relative to the object's size): a window of the background around the placed box (twice
its larger side, the box's bottom at 3/4 of the window, resampled to 32 x 32, with a
channel saying which window pixels lie inside the image), the object warped into the
same window, and the box's absolute geometry (xc, yb, width, height, log2 s). It says
whether the placement is plausible (a logit). Sliding window = D on every candidate of a
grid; the window sampling is inside the graph (GridSample), so the ONNX graph takes the
background once and N candidates.

Trained on the same cache as TopNet (exact labels from the plausibility volume: positives,
hard negatives next to them, random negatives):
    nice -n 10 python -m models.recipes.topnet_disc train --ckpt /tmp/topnet-ckpt --cpu-seconds 480
    python -m models.recipes.topnet_disc export --ckpt /tmp/topnet-ckpt --out models/lamina-place
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoint as ck
from .topnet import batch_from_cache, budget_lr, cpu_seconds, file_logger, resume
from .topnet_data import GRID, N_SCALES, OBJ, SCALES

WIN = 32


def sliding_grid():
    """The candidate cells the sliding window scores: every 2nd row (4 px of 128: the
    support band is >= 5 px tall), every 4th column, every 2nd scale bin (factor 1.32;
    the scale tolerance spans 1.35): 32 x 16 x 6 = 3072 cells."""
    cells = [(s, i, j) for s in range(0, N_SCALES, 2) for i in range(1, GRID, 2) for j in range(2, GRID, 4)]
    return torch.tensor(cells)


def cells_to_candidates(cells):
    """(s, i, j) -> (xc, yb, scale) floats [N, 3]."""
    sc = torch.tensor(SCALES)[cells[:, 0]]
    return torch.stack([(cells[:, 2].float() + 0.5) / GRID, (cells[:, 1].float() + 0.5) / GRID, sc], 1)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(8, 16, 3, 2, 1), nn.GELU(), nn.Conv2d(16, 32, 3, 2, 1), nn.GELU(),
            nn.Conv2d(32, 64, 3, 2, 1), nn.GELU())
        self.geo = nn.Sequential(nn.Linear(5, 64), nn.GELU())
        self.head = nn.Sequential(nn.Linear(64 * 16 + 64, 128), nn.GELU(), nn.Linear(128, 1))
        yy, xx = torch.meshgrid((torch.arange(WIN) + 0.5) / WIN, (torch.arange(WIN) + 0.5) / WIN, indexing="ij")
        self.register_buffer("win_x", xx.reshape(1, WIN, WIN).clone())
        self.register_buffer("win_y", yy.reshape(1, WIN, WIN).clone())

    def windows(self, background, obj, object_size, cand):
        """background [1, 3, H, W], obj [1, 4, OBJ, OBJ], object_size [1, 2], cand [N, 3]
        -> D inputs [N, 8, WIN, WIN] and geometry [N, 5]."""
        N = cand.shape[0]
        xc, yb, s = cand[:, 0:1, None], cand[:, 1:2, None], cand[:, 2:3, None]
        w, h = object_size[:, 0:1, None] * s, object_size[:, 1:2, None] * s  # [N, 1, 1]
        L = torch.maximum(w, h) * 2
        gx = xc + (self.win_x - 0.5) * L  # background fractions
        gy = yb + (self.win_y - 0.75) * L
        grid = torch.stack([gx * 2 - 1, gy * 2 - 1], -1)  # [N, WIN, WIN, 2]
        bgw = F.grid_sample(background, grid.reshape(1, N * WIN, WIN, 2), mode="bilinear",
                            padding_mode="zeros", align_corners=False)
        bgw = bgw.reshape(3, N, WIN, WIN).transpose(0, 1)
        inside = ((gx >= 0) & (gx <= 1) & (gy >= 0) & (gy <= 1)).float()[:, None]
        # the object canvas holds its box fitted at the bottom centre: map window -> canvas
        k = torch.maximum(w, h)  # canvas side in background fractions
        ox = (gx - (xc - k / 2)) / k
        oy = (gy - (yb - k)) / k
        og = torch.stack([ox * 2 - 1, oy * 2 - 1], -1)
        objw = F.grid_sample(obj.expand(N, -1, -1, -1), og, mode="bilinear", padding_mode="zeros", align_corners=False)
        geo = torch.cat([cand[:, 0:2], w[:, 0], h[:, 0], torch.log2(cand[:, 2:3])], 1)
        return torch.cat([bgw * 2 - 1, objw * 2 - 1, inside], 1), geo

    def forward(self, background, obj, object_size, candidates):
        x, geo = self.windows(background, obj, object_size, candidates)
        f = self.conv(x).flatten(1)
        return self.head(torch.cat([f, self.geo(geo)], 1))[:, 0]  # [N]


def sample_cells(volume, k_pos, k_hard, k_rand, g):
    """Training cells for one sample's volume [S, G, G]: (cells [K, 3], labels [K])."""
    pos = volume.nonzero()
    S, G = volume.shape[0], volume.shape[1]
    if pos.shape[0] == 0:
        pos = torch.zeros(1, 3, dtype=torch.long)
    p = pos[torch.randint(0, pos.shape[0], (k_pos + k_hard,), generator=g)]
    hard = p[k_pos:].clone()
    which = torch.randint(0, 3, (k_hard,), generator=g)
    delta = torch.randint(1, 5, (k_hard,), generator=g) * (torch.randint(0, 2, (k_hard,), generator=g) * 2 - 1)
    hard[torch.arange(k_hard), which] += delta
    hard[:, 0].clamp_(0, S - 1)
    hard[:, 1:].clamp_(0, G - 1)
    rnd = torch.stack([torch.randint(0, S, (k_rand,), generator=g), torch.randint(0, G, (k_rand,), generator=g),
                       torch.randint(0, G, (k_rand,), generator=g)], 1)
    cells = torch.cat([p[:k_pos], hard, rnd])
    return cells, volume[cells[:, 0], cells[:, 1], cells[:, 2]].float()


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ckdir = Path(args.ckpt)
    cache = torch.load(ckdir / "data_train.pt", weights_only=False)
    log = file_logger(ckdir / "disc.log")

    D = Discriminator()
    opt = torch.optim.AdamW(D.parameters(), lr=args.lr, weight_decay=0.01)
    step, spent = resume(ckdir / "disc.pt", D, opt, log)
    g = torch.Generator().manual_seed(99 + step)
    N = cache["background"].shape[0]
    t_start = cpu_seconds() - spent

    def save():
        ck.save(ckdir / "disc.pt", {"model": D.state_dict(), "opt": opt.state_dict(), "step": step,
                                    "cpu_seconds": cpu_seconds() - t_start})

    last = cpu_seconds()
    acc_n = acc_hit = 0
    while cpu_seconds() - t_start < args.cpu_seconds:
        lr = budget_lr(args.lr, step, (cpu_seconds() - t_start) / args.cpu_seconds)
        for pg in opt.param_groups:
            pg["lr"] = lr
        idx = torch.randint(0, N, (args.scenes,), generator=g)
        b = batch_from_cache(cache, idx, torch.rand(args.scenes, generator=g) < 0.5)
        loss = 0
        for k in range(args.scenes):
            cells, lab = sample_cells(b["volume"][k], 8, 8, 8, g)
            logit = D(b["background"][k:k + 1], b["object"][k:k + 1], b["object_size"][k:k + 1],
                      cells_to_candidates(cells))
            loss = loss + F.binary_cross_entropy_with_logits(logit, lab)
            acc_hit += ((logit > 0).float() == lab).sum().item()
            acc_n += lab.numel()
        loss = loss / args.scenes
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(D.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 50 == 0:
            log(f"step {step} loss {loss.item():.4f} acc {acc_hit / max(1, acc_n):.3f} lr {lr:.2e} "
                f"cpu {cpu_seconds() - t_start:.0f}s")
            acc_n = acc_hit = 0
        if cpu_seconds() - last > 60:
            save()
            last = cpu_seconds()
    save()
    log(f"done: step {step}")


def load_disc(ckpt_dir):
    state = ck.load(Path(ckpt_dir) / "disc.pt")
    if state is None:
        raise SystemExit(f"{ckpt_dir}/disc.pt: no checkpoint")
    D = Discriminator()
    D.load_state_dict(state["model"])
    return D.eval(), state


def export(args):
    import json

    from .pack_files import file_table, ort_max_diff

    D, state = load_disc(args.ckpt)
    out = Path(args.out)
    g = torch.Generator().manual_seed(0)
    cand = cells_to_candidates(sliding_grid()[:64])
    ex = (torch.rand(1, 3, 128, 128, generator=g), torch.rand(1, 4, OBJ, OBJ, generator=g), torch.tensor([[0.2, 0.25]]), cand)
    path = out / "discriminator.onnx"
    torch.onnx.export(D, ex, str(path), input_names=["background", "object", "object_size", "candidates"],
                      output_names=["scores"], opset_version=17, dynamo=False,
                      dynamic_axes={"candidates": {0: "n"}, "scores": {0: "n"}})
    with torch.no_grad():
        err = ort_max_diff(path, dict(zip(["background", "object", "object_size", "candidates"], ex)), D(*ex))
    print(f"ORT parity (discriminator): {err:.2e}")
    assert err < 1e-3
    man_path = out / "manifest.json"
    m = json.loads(man_path.read_text())
    m["graphs"]["discriminator"] = {
        "file": "discriminator.onnx",
        "inputs": [
            {"name": "background", "dtype": "float32", "dims": [1, 3, 128, 128]},
            {"name": "object", "dtype": "float32", "dims": [1, 4, OBJ, OBJ]},
            {"name": "object_size", "dtype": "float32", "dims": [1, 2]},
            {"name": "candidates", "dtype": "float32", "dims": ["n", 3], "description": "(x centre, y bottom, scale)"},
        ],
        "outputs": [{"name": "scores", "dtype": "float32", "dims": ["n"]}],
    }
    m["components"]["placement"]["discriminator"] = "discriminator"
    m["about"]["discriminator"] = {"steps": state["step"], "cpu_seconds": round(state["cpu_seconds"]),
                                   "role": "baseline (c): sliding-window scoring, used by npm run bench"}
    m["files"] = file_table(out)
    man_path.write_text(json.dumps(m, indent=2) + "\n")
    print(f"added discriminator to {man_path}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--ckpt", required=True)
    t.add_argument("--cpu-seconds", type=float, default=480)
    t.add_argument("--scenes", type=int, default=16)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--threads", type=int, default=1)
    e = sub.add_parser("export")
    e.add_argument("--ckpt", required=True)
    e.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    {"train": train, "export": export}[a.cmd](a)


if __name__ == "__main__":
    main()

"""Atomic, resumable checkpoints and small training helpers (LR schedule, EMA, logging)."""

import copy
import math
import os
import platform
import time
from pathlib import Path

import torch


def save(path: Path, state: dict):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load(path: Path):
    path = Path(path)
    return torch.load(path, map_location="cpu", weights_only=False) if path.exists() else None


def _floats_as(sd: dict, dtype) -> dict:
    return {k: v.to(dtype) if v.is_floating_point() else v for k, v in sd.items()}


def save_resume(path: Path, dit_state: dict, vae_state: dict | None):
    """What a new machine needs to continue a run, small enough for the repository: the
    EMA weights of the text encoder and transformer and the VAE weights in fp16, the
    recipe, step, budget seconds and latent statistics (no optimizer state: a run seeded
    from it re-warms its LR)."""
    half = lambda sd: _floats_as(sd, torch.float16)  # noqa: E731
    save(path, {"format": "lamina-resume", "format_version": 1, "recipe": dit_state["recipe"],
                "step": dit_state["step"], "elapsed": dit_state.get("elapsed", 0.0),
                "ema_text": half(dit_state["ema_text"]), "ema_dit": half(dit_state["ema_dit"]),
                "latent_shift": dit_state["latent_shift"], "latent_scale": dit_state["latent_scale"],
                "vae": None if vae_state is None else {**vae_state, "model": half(vae_state["model"]), "opt": None}})


def load_resume(path: Path) -> dict:
    """A resume file with its weights back in fp32; a clear error for anything else."""
    state = load(path)
    if not state or state.get("format") != "lamina-resume":
        raise SystemExit(f"{path}: not a Lamina resume file (checkpoint.save_resume writes them)")
    return {**state, "ema_text": _floats_as(state["ema_text"], torch.float32),
            "ema_dit": _floats_as(state["ema_dit"], torch.float32)}


def unpack_resume_vae(path: Path, vae_path: Path):
    """Write the resume file's VAE (fp32, marked done) as {ckpt}/vae.pt; pixel-space runs have none."""
    vae = load_resume(path)["vae"]
    if vae is not None:
        save(vae_path, {**vae, "model": _floats_as(vae["model"], torch.float32)})


def lr_at(step, base, warmup, total, min_ratio, progress=None):
    """Linear warmup, then cosine decay to base * min_ratio. `progress` (0..1), when given,
    replaces the step-based position in the decay (a run stopped by its time budget)."""
    if step < warmup:
        return base * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    if progress is not None:
        p = min(1.0, max(p, progress))
    return base * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * p)))


CLOCKS = {"wall": time.time, "cpu": time.process_time}


class Budget:
    """A training stage ends at its step count or its time budget, whichever comes first.
    `time_progress` feeds the LR schedule (lr_at's `progress`), so a run cut short by time
    still anneals fully. Seconds already spent (from a checkpoint) count.

    clock "wall" counts wall-clock seconds; "cpu" counts this process's CPU seconds (all
    its threads), so runs that share the machine with other work still get the same
    compute: with torch.set_num_threads(1), 2400 CPU s = 40 min of one core."""

    def __init__(self, steps, seconds=None, spent=0.0, clock="wall"):
        if clock not in CLOCKS:
            raise ValueError(f"budget clock {clock!r}: expected one of {sorted(CLOCKS)}")
        self.steps, self.seconds, self.spent = steps, seconds, float(spent)
        self.clock = CLOCKS[clock]
        self.t0 = self.clock()

    @property
    def elapsed(self):
        return self.spent + self.clock() - self.t0

    def done(self, step):
        return step >= self.steps or (self.seconds is not None and self.elapsed >= self.seconds)

    def time_progress(self):
        """The time fraction alone (None without a time budget), for the LR schedule."""
        return None if not self.seconds else min(1.0, self.elapsed / self.seconds)


class EMA:
    def __init__(self, model, decay):
        self.decay = decay
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model, step):
        d = min(self.decay, (1 + step) / (10 + step))
        for e, p in zip(self.model.parameters(), model.parameters()):
            e.lerp_(p.detach(), 1 - d)


class Logger:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.t0 = time.time()

    def __call__(self, msg: str):
        line = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {msg}"
        print(line, flush=True)
        with open(self.path, "a") as f:
            f.write(line + "\n")


def cpu_name() -> str:
    """The CPU model (from /proc/cpuinfo where there is one), for logs and model cards."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"

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


def lr_at(step, base, warmup, total, min_ratio, progress=None):
    """Linear warmup, then cosine decay to base * min_ratio. `progress` (0..1), when given,
    replaces the step-based position in the decay (a run stopped by its time budget)."""
    if step < warmup:
        return base * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    if progress is not None:
        p = min(1.0, max(p, progress))
    return base * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * p)))


class Budget:
    """A training stage ends at its step count or its wall-clock budget, whichever comes
    first. `time_progress` feeds the LR schedule (lr_at's `progress`), so a run cut short by
    time still anneals fully. Seconds already spent (from a checkpoint) count."""

    def __init__(self, steps, seconds=None, spent=0.0):
        self.steps, self.seconds, self.spent = steps, seconds, float(spent)
        self.t0 = time.time()

    @property
    def elapsed(self):
        return self.spent + time.time() - self.t0

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

"""What every pack export shares: the manifest's file table (sha256 + bytes of each file)
and the check that an exported graph, run by ONNX Runtime, gives what the torch module gave.

Used by export_onnx (lamina-tiny), convert_diffusers (real packs), topnet and topnet_disc
(lamina-place)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_table(out: Path, recursive: bool = False) -> dict[str, dict]:
    """{relative name: {"sha256", "bytes"}} of every file in a pack folder but manifest.json, sorted."""
    out = Path(out)
    paths = out.rglob("*") if recursive else out.iterdir()
    files = sorted(p for p in paths if p.is_file() and p.name != "manifest.json")
    return {str(p.relative_to(out)): {"sha256": sha256(p), "bytes": p.stat().st_size} for p in files}


def ort_max_diff(path: Path, feeds: dict, want) -> float:
    """Max |ORT - torch| over a graph's outputs: `feeds` are the torch inputs by graph input
    name, `want` the torch module's output (a tensor or a tuple of them) on those inputs."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {k: v.detach().numpy() for k, v in feeds.items()})
    want = want if isinstance(want, (tuple, list)) else [want]
    return float(max(np.abs(g - w.detach().numpy()).max() for g, w in zip(got, want)))

"""A shipped pack's graphs back as PyTorch modules: fine-tunes (ART, LayerDecomp, text
edits) start from the pack a designer has, even where its training checkpoint is gone.

The legacy TorchScript exporter keeps most parameter names as initializer names
("m.blocks.0.img.ada.weight", "vae.decoder.conv_in.bias"); the weight of a Linear that
runs on a 3D input is stored transposed under a generated name ("onnx::MatMul_2300") and
is found through its node: MatMul(x, W^T) followed by Add(., <module>.bias). Every
recovered module is checked against ONNX Runtime on random inputs (`check`), so a wrong
mapping cannot pass silently.

    python -m models.recipes.pack_torch --pack models/lamina-tiny --out /work/ckpt/pack-0.3.0

writes vae.pt and dit.pt in the training checkpoint format (EMA = the pack's weights), a
`--base` for the fine-tune recipes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from . import checkpoint as ck
from . import config as config_lib
from .pack_files import ort_max_diff
from .train import build
from .world import World


def graph_state(path: Path, prefix: str) -> dict[str, torch.Tensor]:
    """{parameter name without `prefix`: tensor} of one exported graph."""
    g = onnx.load(str(path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    consumers: dict[str, list] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    out = {k[len(prefix):]: torch.from_numpy(v.copy()) for k, v in inits.items() if k.startswith(prefix)}
    for n in g.node:
        if n.op_type in ("Mul", "Add") and n.input[1] in inits and not n.input[1].startswith(prefix):
            # a GroupNorm's affine (InstanceNormalization -> Mul(weight) -> Add(bias)): the
            # node's scope names the module ("/encoder/body/body.0/n1/Mul")
            scope = _scope(n.name, prefix)
            if scope is not None and any(p.op_type == "InstanceNormalization" for p in _producers(g, n, 3)):
                out[f"{scope}.{'weight' if n.op_type == 'Mul' else 'bias'}"] = torch.from_numpy(inits[n.input[1]].copy())
            continue
    for name, init in _matmul_weights(path, g, set(inits), consumers, prefix).items():
        out[name] = torch.from_numpy(inits[init].T.copy())
    return out


def _matmul_weights(path: Path, g, inits: set, consumers: dict, prefix: str) -> dict[str, str]:
    """{"<module>.weight" (without `prefix`): the initializer holding its transpose} for every
    Linear the exporter turned into MatMul(x, W^T) + Add(., <module>.bias)."""
    out = {}
    for n in g.node:
        if n.op_type != "MatMul" or n.input[1] not in inits or n.input[1].startswith(prefix):
            continue
        bias = [i for c in consumers.get(n.output[0], []) if c.op_type == "Add" for i in c.input
                if i.startswith(prefix) and i.endswith(".bias")]
        if len(bias) != 1:
            raise ValueError(f"{path.name}: MatMul {n.name} has no unique bias Add (found {bias})")
        out[bias[0][len(prefix):-len(".bias")] + ".weight"] = n.input[1]
    return out


def linear_initializers(path: Path, prefix: str = "m.") -> dict[str, str]:
    """{"<module>.weight": initializer name} of a graph's Linear weights stored transposed
    ([in, out], a MatMul's right operand): what a LoRA adapter's manifest entry names."""
    g = onnx.load(str(path)).graph
    consumers: dict[str, list] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    return _matmul_weights(Path(path), g, {i.name for i in g.initializer}, consumers, prefix)


def _scope(node_name: str, prefix: str) -> str | None:
    """"/encoder/body/body.0/n1/Mul" -> "body.0.n1" for prefix "vae.encoder." (the module
    path inside the prefix), None when the node lies outside it."""
    path: list[str] = []
    for seg in node_name.strip("/").split("/")[:-1]:
        if path and seg.startswith(path[-1] + "."):
            path[-1] = seg
        else:
            path.append(seg)
    dotted = ".".join(path)
    for p in (prefix, prefix.split(".", 1)[1] if "." in prefix[:-1] else ""):
        if p and dotted.startswith(p):
            return dotted[len(p):]
    return None


def _producers(g, node, depth: int) -> list:
    """The nodes up to `depth` steps upstream of `node` (its first input's chain)."""
    by_out = {o: n for n in g.node for o in n.output}
    out, cur = [], node
    for _ in range(depth):
        cur = by_out.get(cur.input[0])
        if cur is None:
            break
        out.append(cur)
    return out


# parameters an exported graph may lack because they cannot change its outputs: the last
# joint block's text-stream tail (its text tokens are never read again)
def _dead(key: str, module: torch.nn.Module) -> bool:
    last = getattr(getattr(module, "cfg", None), "blocks", None)
    return last is not None and key.startswith(f"blocks.{last - 1}.txt.") and \
        key.split(".")[3] in ("proj", "mlp", "n2")


def _load(module: torch.nn.Module, state: dict, what: str) -> None:
    want = module.state_dict()
    missing = [k for k in want if k not in state and not _dead(k, module)]
    if missing:
        raise ValueError(f"{what}: the graph lacks {missing[:5]}{' ...' if len(missing) > 5 else ''}")
    module.load_state_dict({k: state[k].reshape(want[k].shape) if k in state else want[k] for k in want})
    module.eval()


def load_pack(pack: Path, world: World | None = None):
    """(recipe, vae, text, dit, shift, scale) rebuilt from a lamina-tiny pack folder."""
    pack = Path(pack)
    manifest = json.loads((pack / "manifest.json").read_text())
    world = world or World.load(pack / "world.json")
    recipe = config_lib.get(manifest["training"]["recipe"])
    vae, text, dit = build(recipe, world)
    _load(vae, {**{"encoder." + k: v for k, v in graph_state(pack / "vae_encoder.onnx", "vae.encoder.").items()},
                **{"decoder." + k: v for k, v in graph_state(pack / "vae_decoder.onnx", "vae.decoder.").items()}},
          "vae")
    _load(text, graph_state(pack / "text_encoder.onnx", "m."), "text encoder")
    _load(dit, graph_state(pack / "transformer.onnx", "m."), "transformer")
    lat = manifest["latent"]
    return recipe, vae, text, dit, float(lat["shift_factor"]), float(lat["scaling_factor"])


def check(pack: Path, vae, text, dit, seed=0) -> dict[str, float]:
    """Max |ORT - torch| of each graph on random inputs."""
    g = torch.Generator().manual_seed(seed)
    cfg = dit.cfg
    C, L = cfg.latent_channels, cfg.latent_size
    T, N, nb = 11, cfg.image_tokens, cfg.blocks
    S = L * (pack_scale(pack))
    ids = torch.randint(4, text.cfg.vocab_size, (2, T), generator=g)
    mask = torch.ones(2, T, dtype=torch.int64)
    mask[1, -3:] = 0
    emb = text(ids, mask)
    tr = {"latent": torch.randn(2, C, L, L, generator=g), "timestep": torch.rand(2, generator=g),
          "text_embeds": emb.detach(), "text_mask": mask.float(), "attn_bias": torch.zeros(2, 1, T + N, T + N),
          "text_k_override": torch.zeros(nb, 2, cfg.heads, T, cfg.head_dim),
          "text_v_override": torch.zeros(nb, 2, cfg.heads, T, cfg.head_dim), "kv_mix": torch.zeros(2, nb)}
    img = torch.rand(2, 4, S, S, generator=g)
    z = torch.randn(2, C, L, L, generator=g)
    with torch.no_grad():
        return {
            "text_encoder": ort_max_diff(pack / "text_encoder.onnx", {"input_ids": ids, "attention_mask": mask}, emb),
            "transformer": ort_max_diff(pack / "transformer.onnx", tr, dit(**tr)),
            "vae_encoder": ort_max_diff(pack / "vae_encoder.onnx", {"image": img}, vae.encode(img)),
            "vae_decoder": ort_max_diff(pack / "vae_decoder.onnx", {"latent": z}, vae.decode(z)),
        }


def pack_scale(pack: Path) -> int:
    return int(json.loads((Path(pack) / "manifest.json").read_text())["latent"]["vae_scale_factor"])


def write_checkpoints(pack: Path, out: Path) -> dict[str, float]:
    """vae.pt + dit.pt (the training checkpoint format) from a pack, checked first."""
    recipe, vae, text, dit, shift, scale = load_pack(pack)
    diffs = check(pack, vae, text, dit)
    bad = {k: v for k, v in diffs.items() if v > 1e-3}
    if bad:
        raise ValueError(f"recovered modules differ from the pack's graphs: {bad}")
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((Path(pack) / "manifest.json").read_text())
    common = {"recipe": recipe.to_dict(), "latent_shift": shift, "latent_scale": scale,
              "from_pack": {"id": manifest["id"], "version": manifest["version"]}}
    ck.save(out / "vae.pt", {"model": vae.state_dict(), "done": True, **common})
    ck.save(out / "dit.pt", {"ema_text": text.state_dict(), "ema_dit": dit.state_dict(), "done": True,
                             "step": manifest["training"].get("dit_steps", 0), **common})
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", type=Path, default=Path("models/lamina-tiny"))
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    diffs = write_checkpoints(a.pack, a.out)
    print(json.dumps({"out": str(a.out), "ort_vs_torch_max_abs_diff": diffs}, indent=1))


if __name__ == "__main__":
    main()


__all__ = ["graph_state", "linear_initializers", "load_pack", "check", "write_checkpoints", "np"]

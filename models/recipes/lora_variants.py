"""The two other ways a LoRA could reach the transformer at run time, built from a pack's
graph for the measurement that chose the engine's way (docs/lora.md; the engine merges the
adapter into the weights and makes a session of the merged graph):

  overridable  the targets' weight initializers also listed as graph inputs (ONNX lets a
               feed override such an initializer): merged weights fed with every call
  inputs       LoRA as extra graph inputs: y = x W^T + ((x A^T) B^T) * lora_scale per target,
               A^T [in, rank] and B^T [rank, out] fed as `<module>.lora_a` / `.lora_b`

    python -m models.recipes.lora_variants --pack models/lamina-tiny --blocks 2 --rank 4 --out /tmp/lora/variants

writes transformer-overridable-<blocks>.onnx, transformer-inputs-<blocks>.onnx and
targets-<blocks>.json (module, initializer, in, out per target) there; the timing is
main/engine/runtime/lora-strategy-bench.ts.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import onnx
from onnx import TensorProto, helper

from .pack_torch import linear_initializers


def targets(pack: Path, blocks: list[int]) -> list[dict]:
    graph = pack / "transformer.onnx"
    inits = linear_initializers(graph)
    model = onnx.load(str(graph))
    dims = {i.name: list(i.dims) for i in model.graph.initializer}
    out = []
    for b in blocks:
        for s in ("txt", "img"):
            for p in ("qkv", "proj"):
                name = f"blocks.{b}.{s}.{p}"
                if f"{name}.weight" in inits:
                    init = inits[f"{name}.weight"]
                    out.append({"module": name, "initializer": init, "in": dims[init][0], "out": dims[init][1]})
    return out


def overridable(pack: Path, tg: list[dict], out: Path) -> None:
    model = onnx.load(str(pack / "transformer.onnx"))
    for t in tg:
        model.graph.input.append(helper.make_tensor_value_info(t["initializer"], TensorProto.FLOAT, [t["in"], t["out"]]))
    onnx.checker.check_model(model)
    onnx.save(model, str(out))


def lora_inputs(pack: Path, tg: list[dict], rank: int, out: Path) -> None:
    model = onnx.load(str(pack / "transformer.onnx"))
    g = model.graph
    g.input.append(helper.make_tensor_value_info("lora_scale", TensorProto.FLOAT, [1]))
    by_weight = {t["initializer"]: t for t in tg}
    nodes = []
    for n in g.node:
        nodes.append(n)
        if n.op_type != "MatMul" or n.input[1] not in by_weight:
            continue
        t = by_weight[n.input[1]]
        m = t["module"]
        g.input.append(helper.make_tensor_value_info(f"{m}.lora_a", TensorProto.FLOAT, [t["in"], rank]))
        g.input.append(helper.make_tensor_value_info(f"{m}.lora_b", TensorProto.FLOAT, [rank, t["out"]]))
        base_out = n.output[0]
        n.output[0] = f"{m}.base_out"
        nodes += [helper.make_node("MatMul", [n.input[0], f"{m}.lora_a"], [f"{m}.xa"]),
                  helper.make_node("MatMul", [f"{m}.xa", f"{m}.lora_b"], [f"{m}.xab"]),
                  helper.make_node("Mul", [f"{m}.xab", "lora_scale"], [f"{m}.delta"]),
                  helper.make_node("Add", [f"{m}.base_out", f"{m}.delta"], [base_out])]
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", type=Path, default=Path("models/lamina-tiny"))
    ap.add_argument("--blocks", default="2")
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    n = json.loads((a.pack / "manifest.json").read_text())["transformer"]["block_count"]
    blocks = list(range(n)) if a.blocks == "all" else [int(b) for b in a.blocks.split(",")]
    tg = targets(a.pack, blocks)
    tag = a.blocks.replace(",", "-")
    overridable(a.pack, tg, a.out / f"transformer-overridable-{tag}.onnx")
    lora_inputs(a.pack, tg, a.rank, a.out / f"transformer-inputs-{tag}.onnx")
    (a.out / f"targets-{tag}.json").write_text(json.dumps({"rank": a.rank, "targets": tg}, indent=1) + "\n")
    print(f"wrote {a.out} ({len(tg)} targets)")


if __name__ == "__main__":
    main()

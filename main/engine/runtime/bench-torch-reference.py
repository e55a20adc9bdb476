"""PyTorch-eager twin of a pack's transformer, for `lamina bench` (torch_ratio).

stdin, first line, JSON: {"pack": dir, "text_len": int, "batches": [1, 2], "threads": int,
             "warmup": int, "iters": int, "ckpt": optional path to the recipe's dit.pt,
             "serve": optional bool}
stdout JSON line: {"available": bool, "reason"?: str, "source": str, "torch": version,
              "ms": {"1": median ms, "2": ...}, "best_ms": {...}, "flops": {"1": flops, ...},
              "onnx_max_abs_diff": float}
With "serve": true it then answers one line per request line {"batch": B, "iters": n}
with {"times": [ms, ...]} until {"quit": true} or EOF, so the caller can interleave
PyTorch and ORT bursts (a fair ratio on a machine shared with other work).

The twin is the recipe's MMDiT (models/recipes/mmdit.py) with the pack's weights: for a
fixture pack rebuilt from make-fixture-pack.py's seeded weights, for lamina-tiny loaded from
the training checkpoint (ema_dit; --ckpt, LAMINA_TORCH_CKPT or /work/ckpt/<recipe>/dit.pt).
Before timing, it runs the ONNX graph on the same inputs with onnxruntime and reports the
max abs difference, so the ratio is only ever about the same network.
"""
import importlib.util
import json
import os
import statistics
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, REPO)


def out(obj):
    json.dump(obj, sys.stdout)
    sys.stdout.write("\n")
    sys.exit(0)


try:
    import numpy as np
    import torch
except Exception as e:  # noqa: BLE001
    out({"available": False, "reason": f"torch not importable: {e}"})

req = json.loads(sys.stdin.readline())
pack = req["pack"]
man = json.load(open(os.path.join(pack, "manifest.json")))
recipe_name = (man.get("training") or {}).get("recipe", "cpu")
torch.set_num_threads(int(req.get("threads", 1)))

from models.recipes import config as config_lib  # noqa: E402

if man["id"].startswith("fixture-"):
    spec = importlib.util.spec_from_file_location("mfp", os.path.join(os.path.dirname(__file__), "fixtures", "make-fixture-pack.py"))
    mfp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mfp)
    _, _, _, dit = mfp.build_random(recipe_name)
    source = f"make-fixture-pack.py build_random({recipe_name!r})"
else:
    ckpt = req.get("ckpt") or os.environ.get("LAMINA_TORCH_CKPT") or f"/work/ckpt/{recipe_name}/dit.pt"
    if not os.path.exists(ckpt):
        out({"available": False, "reason": f"no PyTorch checkpoint for {man['id']} at {ckpt} (set LAMINA_TORCH_CKPT)"})
    from models.recipes.train import build
    from models.recipes.world import World

    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    recipe = config_lib.get(state["recipe"]["name"])
    _, _, dit = build(recipe, World.load(os.path.join(pack, "world.json")))
    dit.load_state_dict(state["ema_dit"])
    source = f"{ckpt} (ema_dit, step {state.get('step')})"
dit.eval()

tr = man["transformer"]
C = man["latent"]["channels"]
f = man["latent"]["vae_scale_factor"]
h, w = man["native_size"]["height"] // f, man["native_size"]["width"] // f
T = int(req["text_len"])
N, nb, H, hd, Dt = tr["image_tokens"], tr["block_count"], tr["heads"], tr["head_dim"], tr["text_dim"]
g = torch.Generator().manual_seed(0)


def inputs(B):
    return (torch.randn(B, C, h, w, generator=g), torch.rand(B, generator=g), torch.randn(B, T, Dt, generator=g),
            torch.ones(B, T), torch.zeros(B, 1, T + N, T + N), torch.zeros(nb, B, H, T, hd), torch.zeros(nb, B, H, T, hd),
            torch.zeros(B, nb))


names = ["latent", "timestep", "text_embeds", "text_mask", "attn_bias", "text_k_override", "text_v_override", "kv_mix"]
result = {"available": True, "source": source, "torch": torch.__version__, "threads": torch.get_num_threads(), "ms": {}, "best_ms": {}, "flops": {}}
try:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(pack, man["graphs"]["transformer"]["file"]), so, providers=["CPUExecutionProvider"])
    x = inputs(2)
    with torch.inference_mode():
        ref = dit(*x)[0].numpy()
    got = sess.run(["velocity"], {n: t.numpy() for n, t in zip(names, x)})[0]
    result["onnx_max_abs_diff"] = float(np.abs(got - ref).max())
    # a checkpoint that kept training after the export has the same architecture (same
    # speed) but other weights: say so rather than hide it
    result["same_weights"] = result["onnx_max_abs_diff"] < 1e-3
except Exception as e:  # noqa: BLE001
    result["onnx_max_abs_diff"] = None
    result["onnx_check_error"] = str(e)[:200]

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

for B in req.get("batches", [1, 2]):
    x = inputs(B)
    with torch.inference_mode():
        with FlopCounterMode(display=False) as fc:
            dit(*x)
        result["flops"][str(B)] = int(fc.get_total_flops())
        for _ in range(int(req.get("warmup", 3))):
            dit(*x)
        ts = []
        for _ in range(int(req.get("iters", 20))):
            t0 = time.perf_counter()
            dit(*x)
            ts.append((time.perf_counter() - t0) * 1000)
    result["ms"][str(B)] = statistics.median(ts)
    result["best_ms"][str(B)] = min(ts)
if not req.get("serve"):
    out(result)
sys.stdout.write(json.dumps(result) + "\n")
sys.stdout.flush()
cache = {B: inputs(B) for B in req.get("batches", [1, 2])}
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd.get("quit"):
        break
    x = cache[int(cmd["batch"])]
    ts = []
    with torch.inference_mode():
        for _ in range(int(cmd.get("iters", 5))):
            t0 = time.perf_counter()
            dit(*x)
            ts.append((time.perf_counter() - t0) * 1000)
    sys.stdout.write(json.dumps({"times": ts}) + "\n")
    sys.stdout.flush()

"""Text-to-image with the exported pack using only onnxruntime + numpy: the exact
algorithm the TypeScript pipeline implements (tokenize, encode text, flow-matching
Euler with classifier-free guidance, VAE decode). Writes a PNG and, with --npz, the
tensors of every stage as reference data for TypeScript tests.

    python -m models.recipes.reference_onnx --pack models/lamina-tiny \
        --prompt "a large red circle on a white background" --out /tmp/ref.png
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np


def tokenize(world: dict, texts: list[str]):
    vocab = {t: i for i, t in enumerate(world["vocab"])}
    st, tk = world["special_tokens"], world["tokenizer"]
    pad, bos, eos, unk = (vocab[st[k]] for k in ("pad", "bos", "eos", "unk"))
    seqs = []
    for t in texts:
        words = re.findall(tk["split_regex"], t.lower() if tk["lowercase"] else t)
        seqs.append([bos] + [vocab.get(w, unk) for w in words][: tk["max_length"] - 2] + [eos])
    T = max(len(s) for s in seqs)
    ids = np.full((len(seqs), T), pad, dtype=np.int64)
    mask = np.zeros((len(seqs), T), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return ids, mask


def generate(pack: Path, prompts: list[str], steps=20, guidance=4.0, seed=0, record=None):
    import onnxruntime as ort

    man = json.loads((pack / "manifest.json").read_text())
    world = json.loads((pack / man["tokenizer"]["file"]).read_text())
    sess = {k: ort.InferenceSession(str(pack / g["file"]), providers=["CPUExecutionProvider"])
            for k, g in man["graphs"].items()}
    tr = man["transformer"]
    B = len(prompts)
    # 1. tokenize prompts + the empty (unconditional) prompt, padded to one length
    ids, mask = tokenize(world, prompts + [""] * B)
    # 2. text embeddings
    (emb,) = sess["text_encoder"].run(None, {"input_ids": ids, "attention_mask": mask})
    # 3. initial noise
    C, f = man["latent"]["channels"], man["latent"]["vae_scale_factor"]
    h, w = man["native_size"]["height"] // f, man["native_size"]["width"] // f
    x = np.random.default_rng(seed).standard_normal((B, C, h, w)).astype(np.float32)
    # 4. Euler steps over shifted sigmas, CFG on a doubled batch
    shift = man["scheduler"]["shift"]
    t = 1.0 - np.arange(steps + 1, dtype=np.float64) / steps
    sig = (shift * t / (1 + (shift - 1) * t)).astype(np.float32)
    T, nb, H, hd = ids.shape[1], tr["block_count"], tr["heads"], tr["head_dim"]
    J = T + tr["image_tokens"]
    zeros_kv = np.zeros((nb, 2 * B, H, T, hd), dtype=np.float32)
    for i in range(steps):
        feeds = {"latent": np.concatenate([x, x]), "timestep": np.full((2 * B,), sig[i], dtype=np.float32),
                 "text_embeds": emb, "text_mask": mask.astype(np.float32),
                 "attn_bias": np.zeros((2 * B, 1, J, J), dtype=np.float32),
                 "text_k_override": zeros_kv, "text_v_override": zeros_kv,
                 "kv_mix": np.zeros((2 * B, nb), dtype=np.float32)}
        v = sess["transformer"].run(["velocity"], feeds)[0]
        v = v[B:] + guidance * (v[:B] - v[B:])
        x = x + (sig[i + 1] - sig[i]) * v
    # 5. un-normalize and decode
    lat = x / man["latent"]["scaling_factor"] + man["latent"]["shift_factor"]
    (img,) = sess["vae_decoder"].run(None, {"latent": lat.astype(np.float32)})
    if record is not None:
        record.update(input_ids=ids, attention_mask=mask, text_embeds=emb, sigmas=sig, final_latent=x, image=img)
    return img  # premultiplied RGBA [B, 4, H, W] in [0, 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", default=str(Path(__file__).resolve().parents[1] / "lamina-tiny"))
    ap.add_argument("--prompt", action="append", required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--guidance", type=float, default=4.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="/tmp/lamina-reference.png")
    ap.add_argument("--npz", default=None, help="also save every stage's tensors here")
    args = ap.parse_args()
    from PIL import Image

    rec = {}
    img = generate(Path(args.pack), args.prompt, args.steps, args.guidance, args.seed, rec)
    a = img[:, 3:4]
    straight = np.where(a > 0, img[:, :3] / np.maximum(a, 1e-6), 0)
    rgba = np.concatenate([straight, a], 1).clip(0, 1)
    tiles = (rgba.transpose(0, 2, 3, 1) * 255).round().astype(np.uint8)
    Image.fromarray(np.concatenate(list(tiles), 1), "RGBA").save(args.out)
    if args.npz:
        np.savez_compressed(args.npz, **rec)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

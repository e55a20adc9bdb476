"""Reference outputs from diffusers itself, for Lamina's parity tests on converted packs.

    python -m models.recipes.diffusers_reference generate FOLDER --prompt P --noise noise.npy \
        --steps N --guidance G --width W --height H --out DIR
    python -m models.recipes.diffusers_reference tokens FOLDER --prompts prompts.json --out tokens.json

`generate` runs StableDiffusion3Pipeline / FluxPipeline from the folder with the initial
noise from `noise.npy` (float32 [1, C, h, w], the unpacked latent shape; FLUX's packing is
done here as its pipeline does) and saves `latents` (the final latents before the VAE,
unpacked, [1, C, h, w]: DIR/latents.npy) and `image` (the decoded image, float [H, W, 3] in [0, 1]: DIR/image.npy).
`tokens` writes every tokenizer's ids for each prompt, padded as the pipelines pad them.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch


def _pipe(folder: Path):
    from diffusers import DiffusionPipeline

    return DiffusionPipeline.from_pretrained(str(folder), torch_dtype=torch.float32)


def generate(folder: Path, prompt: str, noise: np.ndarray, steps: int, guidance: float, width: int, height: int, max_sequence_length: int | None):
    pipe = _pipe(folder)
    flux = type(pipe).__name__ == "FluxPipeline"
    lat = torch.from_numpy(noise.astype(np.float32))
    _, c, h, w = lat.shape
    if flux:
        lat = pipe._pack_latents(lat, 1, c, h, w)
    kw = dict(prompt=prompt, num_inference_steps=steps, guidance_scale=guidance, width=width, height=height)
    if max_sequence_length:
        kw["max_sequence_length"] = max_sequence_length
    out = pipe(**kw, latents=lat.clone(), output_type="latent").images
    if flux:
        out = pipe._unpack_latents(out, height, width, pipe.vae_scale_factor)
    image = pipe(**kw, latents=lat.clone(), output_type="np").images[0]
    return out.numpy().astype(np.float32), image.astype(np.float32)


def tokens(folder: Path, prompts: list[str]) -> dict:
    from transformers import AutoTokenizer

    res = {}
    for sub in sorted(p.name for p in folder.iterdir() if p.name.startswith("tokenizer")):
        tok = AutoTokenizer.from_pretrained(str(folder / sub))
        t5 = "T5" in type(tok).__name__
        max_len = 256 if t5 else tok.model_max_length
        res[sub] = [tok(p, padding="max_length", max_length=max_len, truncation=True, add_special_tokens=True).input_ids for p in prompts]
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("folder", type=Path)
    g.add_argument("--prompt", required=True)
    g.add_argument("--noise", type=Path, required=True)
    g.add_argument("--steps", type=int, default=4)
    g.add_argument("--guidance", type=float, default=4.0)
    g.add_argument("--width", type=int, required=True)
    g.add_argument("--height", type=int, required=True)
    g.add_argument("--max-sequence-length", type=int, default=None)
    g.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("tokens")
    t.add_argument("folder", type=Path)
    t.add_argument("--prompts", type=Path, required=True)
    t.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    if a.cmd == "generate":
        lat, img = generate(a.folder, a.prompt, np.load(a.noise), a.steps, a.guidance, a.width, a.height, a.max_sequence_length)
        a.out.mkdir(parents=True, exist_ok=True)
        np.save(a.out / "latents.npy", lat)
        np.save(a.out / "image.npy", img)
    else:
        a.out.write_text(json.dumps(tokens(a.folder, json.loads(a.prompts.read_text()))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The tiny FLUX transformer exported without Lamina's attention bias input, for measuring
what the dense bias costs at run time (scripts/measure-bias-memory.ts runs both graphs in
onnxruntime-node at 4096 image + 512 text tokens and compares peak RSS).

    python -m models.recipes.bias_memory DIFFUSERS_FOLDER --out transformer_nobias.onnx

Same export as convert_diffusers (same processors, dims and opset), with `attn_bias` absent
(the attentions then run unmasked, as diffusers' do).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .convert_diffusers import FluxGraph, _export


class FluxGraphNoBias(FluxGraph):
    def forward(self, latent, timestep, guidance, text_embeds, pooled_text, img_ids, txt_ids, text_k_override, text_v_override, kv_mix):
        return super().forward(latent, timestep, guidance, text_embeds, pooled_text, img_ids, txt_ids, None, text_k_override, text_v_override, kv_mix)


def main(argv=None) -> int:
    from diffusers import FluxTransformer2DModel

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    tr = FluxTransformer2DModel.from_pretrained(str(a.folder / "transformer"), torch_dtype=torch.float32).eval()
    cfg = tr.config
    blocks, heads, hd, C = len(tr.transformer_blocks), cfg.num_attention_heads, cfg.attention_head_dim, cfg.in_channels
    B, T, g = 1, 7, 4
    N = g * g
    ids = torch.zeros(g, g, 3)
    ids[..., 1] = torch.arange(g)[:, None]
    ids[..., 2] = torch.arange(g)[None, :]
    feeds = {"latent": torch.randn(B, N, C), "timestep": torch.tensor([0.5]), "guidance": torch.tensor([3.5]), "text_embeds": torch.randn(B, T, cfg.joint_attention_dim),
             "pooled_text": torch.randn(B, cfg.pooled_projection_dim), "img_ids": ids.reshape(N, 3), "txt_ids": torch.zeros(T, 3),
             "text_k_override": torch.zeros(blocks, B, heads, T, hd), "text_v_override": torch.zeros(blocks, B, heads, T, hd), "kv_mix": torch.zeros(B, blocks)}
    kv = [blocks, "batch", heads, "text_len", hd]
    lat = ["batch", "image_tokens", C]
    dims = {"latent": lat, "timestep": ["batch"], "guidance": ["batch"], "text_embeds": ["batch", "text_len", cfg.joint_attention_dim], "pooled_text": ["batch", cfg.pooled_projection_dim],
            "img_ids": ["image_tokens", 3], "txt_ids": ["text_len", 3], "text_k_override": kv, "text_v_override": kv, "kv_mix": ["batch", blocks],
            "velocity": lat, "text_k": kv, "text_v": kv}
    _export(FluxGraphNoBias(tr).eval(), feeds, ["velocity", "text_k", "text_v"], dims, a.out, big=False)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

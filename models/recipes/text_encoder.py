"""Word-level text encoder: token + position embeddings, a few pre-LN transformer layers."""

import torch
import torch.nn as nn

from .config import TextConfig

NEG = -1e4  # additive mask value; finite so fp16 runtimes stay safe


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, key_bias):
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        att = (q @ k.transpose(-1, -2)) * (q.shape[-1] ** -0.5) + key_bias
        y = att.softmax(-1) @ v
        return self.proj(y.transpose(1, 2).reshape(B, T, D))


class Layer(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        d = cfg.dim
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = SelfAttention(d, cfg.heads)
        self.mlp = nn.Sequential(nn.Linear(d, cfg.mlp_ratio * d), nn.GELU(), nn.Linear(cfg.mlp_ratio * d, d))

    def forward(self, x, key_bias):
        x = x + self.attn(self.n1(x), key_bias)
        return x + self.mlp(self.n2(x))


class TextEncoder(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.pos = nn.Parameter(torch.randn(cfg.max_length, cfg.dim) * 0.02)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.layers))
        self.norm = nn.LayerNorm(cfg.dim)

    def forward(self, input_ids, attention_mask):
        """input_ids int64 [B, T], attention_mask int64 [B, T] -> text_embeds [B, T, dim]."""
        T = input_ids.shape[1]
        x = self.tok(input_ids) + self.pos[:T]
        key_bias = (1.0 - attention_mask.to(x.dtype))[:, None, None, :] * NEG
        for layer in self.layers:
            x = layer(x, key_bias)
        return self.norm(x)

"""SD3-style MMDiT: text and image streams with their own weights, joint attention over
[text; image], adaLN-Zero timestep (+ pooled text) modulation, rectified-flow velocity.

With cfg.prediction = "x0" the network predicts the clean sample and forward() returns
the velocity it implies, so samplers, exports and pipelines see velocity either way.

forward() exposes what Lamina's pipelines need (zeros = no effect):
  attn_bias       [B, 1, T+N, T+N] additive bias on the joint attention logits
  text_k/v        per-block text keys/values [blocks, B, heads, T, head_dim] (outputs)
  text_k/v_override, kv_mix [B, blocks]: k <- k + mix * (override - k) (activation patching)
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import DiTConfig
from .text_encoder import NEG


def sincos_2d(dim, grid, native=None):
    """Fixed 2D sin-cos position embedding [grid*grid, dim]. With `native` (the grid of the
    pack's native size), positions are in native token units, so a token of a smaller image
    (progressive training at low resolution) sits where the same image spot sits natively."""
    step = 1.0 if native is None else native / grid
    y, x = torch.meshgrid(torch.arange(grid, dtype=torch.float32) * step, torch.arange(grid, dtype=torch.float32) * step,
                          indexing="ij")
    q = dim // 4
    omega = 1.0 / (10000 ** (torch.arange(q, dtype=torch.float32) / q))
    out = [f(c.reshape(-1, 1) * omega) for c in (x, y) for f in (torch.sin, torch.cos)]
    return torch.cat(out, 1)


def timestep_embedding(t, dim, scale=1000.0):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = (t.float() * scale)[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], -1)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.w = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


class MixFFN(nn.Module):
    """SANA's Mix-FFN for image tokens: linear, depthwise 3 x 3 convolution over the token
    grid, GELU, linear. `grid` = tokens per side (square grids)."""

    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.dw = nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden)
        self.act = nn.GELU(approximate="tanh")
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x, grid):
        B, L, _ = x.shape
        h = self.fc1(x).transpose(1, 2).reshape(B, -1, grid, grid)
        h = self.dw(h).flatten(2).transpose(1, 2)
        return self.fc2(self.act(h))


class RelativePositionBias(nn.Module):
    """Swin-style relative position bias for image-to-image attention: one learned logit per
    head and 2D offset between tokens, in native token units (a low-resolution grid reads
    the table at the offsets its tokens have natively). Zero-initialised: no effect until
    trained, so it can be added to a trained transformer."""

    def __init__(self, heads, native):
        super().__init__()
        self.native = native
        self.table = nn.Parameter(torch.zeros(heads, (2 * native - 1) ** 2))

    def offsets(self, grid):
        """[grid^2, grid^2] index into the table for every (query, key) token pair."""
        step = self.native // grid
        y, x = torch.meshgrid(torch.arange(grid) * step, torch.arange(grid) * step, indexing="ij")
        y, x = y.flatten(), x.flatten()
        span = 2 * self.native - 1
        return (y[:, None] - y[None] + self.native - 1) * span + (x[:, None] - x[None] + self.native - 1)

    def forward(self, grid, text_len):
        """[1, heads, T + N, T + N]: the bias on the joint logits, zero on every text row and column."""
        rel = self.table[:, self.offsets(grid).to(self.table.device)]
        return F.pad(rel, (text_len, 0, text_len, 0))[None]


class Stream(nn.Module):
    """One modality's weights inside a joint block."""

    def __init__(self, cfg: DiTConfig, image=False):
        super().__init__()
        d, hd = cfg.dim, cfg.head_dim
        self.ada = nn.Linear(d, 6 * d)
        self.n1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.qkv = nn.Linear(d, 3 * d)
        self.qn, self.kn = RMSNorm(hd), RMSNorm(hd)
        self.proj = nn.Linear(d, d)
        self.n2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.mix = image and cfg.mix_ffn
        if self.mix:
            self.mlp = MixFFN(d, cfg.mlp_ratio * d)
        else:
            self.mlp = nn.Sequential(nn.Linear(d, cfg.mlp_ratio * d), nn.GELU(approximate="tanh"),
                                     nn.Linear(cfg.mlp_ratio * d, d))
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)

    def pre(self, x, c, heads):
        B, L, D = x.shape
        mods = self.ada(c).chunk(6, -1)
        h = modulate(self.n1(x), mods[0], mods[1])
        q, k, v = self.qkv(h).view(B, L, 3, heads, D // heads).permute(2, 0, 3, 1, 4).unbind(0)
        return self.qn(q), self.kn(k), v, mods

    def post(self, x, attn_out, mods, grid=None):
        x = x + mods[2][:, None] * self.proj(attn_out)
        h = modulate(self.n2(x), mods[3], mods[4])
        return x + mods[5][:, None] * (self.mlp(h, grid) if self.mix else self.mlp(h))


class JointBlock(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        self.heads = cfg.heads
        self.text_attention_probe = None  # training aid (grounding.TextAttention): sees (q_image, k_text, bias)
        self.txt = Stream(cfg)
        self.img = Stream(cfg, image=True)
        self.rel = RelativePositionBias(cfg.heads, cfg.latent_size // cfg.patch_size) if cfg.rel_pos_bias else None

    def forward(self, txt, img, c, bias, k_over, v_over, mix, grid=None):
        B, T, D = txt.shape
        qt, kt, vt, mt = self.txt.pre(txt, c, self.heads)
        qi, ki, vi, mi = self.img.pre(img, c, self.heads)
        k_out, v_out = kt, vt
        if self.text_attention_probe is not None:
            self.text_attention_probe(qi, kt, bias)
        if mix is not None:  # K/V patching (text edits); absent in training
            m = mix[:, None, None, None]
            kt = kt + m * (k_over - kt)
            vt = vt + m * (v_over - vt)
        q = torch.cat([qt, qi], 2)
        k = torch.cat([kt, ki], 2)
        v = torch.cat([vt, vi], 2)
        if self.rel is not None:
            bias = bias + self.rel(grid, T)
        if torch.onnx.is_in_onnx_export():  # the graph the runtime has always run
            att = (q @ k.transpose(-1, -2)) * (q.shape[-1] ** -0.5) + bias
            y = att.softmax(-1) @ v
        else:  # the same attention, fused (CPU flash kernel: training and sampling in PyTorch)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
        y = y.transpose(1, 2).reshape(B, -1, D)
        txt = self.txt.post(txt, y[:, :T], mt)
        img = self.img.post(img, y[:, T:], mi, grid)
        return txt, img, k_out, v_out


class MMDiT(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        self.cfg = cfg
        d, p, C = cfg.dim, cfg.patch_size, cfg.latent_channels
        if cfg.patch_bottleneck:
            self.patch = nn.Sequential(nn.Linear(C * p * p, cfg.patch_bottleneck, bias=False),
                                       nn.Linear(cfg.patch_bottleneck, d))
        else:
            self.patch = nn.Linear(C * p * p, d)
        self.register_buffer("pos", sincos_2d(d, cfg.latent_size // p), persistent=False)
        self.context = nn.Linear(cfg.text_dim, d)
        self.t_mlp = nn.Sequential(nn.Linear(256, d), nn.SiLU(), nn.Linear(d, d))
        self.pool_mlp = nn.Sequential(nn.Linear(cfg.text_dim, d), nn.SiLU(), nn.Linear(d, d))
        self.blocks = nn.ModuleList(JointBlock(cfg) for _ in range(cfg.blocks))
        self.final_norm = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.final_ada = nn.Linear(d, 2 * d)
        self.final = nn.Linear(d, C * p * p)
        for m in (self.final_ada, self.final):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def load_grown(self, state):
        """Load a state trained without this transformer's zero-initialised additions (the
        relative position bias tables): those keep their zeros; any other mismatch is an error."""
        missing, unexpected = self.load_state_dict(state, strict=False)
        foreign = [k for k in missing if not k.endswith(".rel.table")] + list(unexpected)
        if foreign:
            raise ValueError(f"transformer weights do not match this configuration: {foreign[:4]}")
        return missing

    def forward(self, latent, timestep, text_embeds, text_mask, attn_bias=None,
                text_k_override=None, text_v_override=None, kv_mix=None):
        """latent [B, C, h, w], timestep [B] in [0, 1] (1 = noise), text_embeds [B, T, Dt],
        text_mask [B, T] (1 = token, 0 = pad). Returns (velocity [B, C, h, w],
        text_k [blocks, B, heads, T, hd], text_v [blocks, B, heads, T, hd])."""
        cfg = self.cfg
        B, C, H, W = latent.shape
        T = text_embeds.shape[1]
        p = cfg.patch_size
        hp, wp = H // p, W // p
        x = latent.reshape(B, C, hp, p, wp, p).permute(0, 2, 4, 1, 3, 5).reshape(B, hp * wp, C * p * p)
        native = cfg.latent_size // p
        pos = self.pos if (hp, wp) == (native, native) else sincos_2d(cfg.dim, hp, native).to(x)
        if hp != wp:
            raise ValueError(f"square latents only (got {hp} x {wp} tokens)")
        img = self.patch(x) + pos
        txt = self.context(text_embeds)
        m = text_mask.to(latent.dtype)
        pooled = (text_embeds * m[..., None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1.0)
        c = self.t_mlp(timestep_embedding(timestep, 256)) + self.pool_mlp(pooled)
        c = nn.functional.silu(c)
        key_valid = torch.cat([m, torch.ones(B, hp * wp, dtype=m.dtype, device=m.device)], 1)
        bias = (1.0 - key_valid)[:, None, None, :] * NEG
        if attn_bias is not None:
            bias = bias + attn_bias
        patch = kv_mix is not None  # without a mix the overrides have no effect: skip them
        if patch and (text_k_override is None or text_v_override is None):
            raise ValueError("kv_mix needs text_k_override and text_v_override")
        ks, vs = [], []
        for i, blk in enumerate(self.blocks):
            over = (text_k_override[i], text_v_override[i], kv_mix[:, i]) if patch else (None, None, None)
            txt, img, k, v = blk(txt, img, c, bias, *over, hp)
            ks.append(k)
            vs.append(v)
        shift, scale = self.final_ada(c).chunk(2, -1)
        out = self.final(modulate(self.final_norm(img), shift, scale))
        out = out.reshape(B, hp, wp, C, p, p).permute(0, 3, 1, 4, 2, 5).reshape(B, C, H, W)
        if cfg.prediction == "x0":  # the clean sample, returned as the velocity it implies
            t = timestep.to(latent.dtype).clamp(min=cfg.x0_t_min).view(B, 1, 1, 1)
            out = (latent - out) / t
        return out, torch.stack(ks), torch.stack(vs)

"""Convert a diffusers folder (SD3 / SD3.5 or FLUX.1: model_index.json + component folders
with safetensors) into a verified Lamina model pack (manifest format 2, ONNX graphs).

    python -m models.recipes.convert_diffusers FOLDER --out PACK [--dtype fp16|fp32] [--id ID] [--json]

What it exports (every graph is checked against torch on random feeds; the max abs diff is
printed and kept in the manifest's `about.conversion`):
  - text encoders: CLIP-L / CLIP-G (hidden states of the penultimate layer + pooled output:
    the projection for CLIPTextModelWithProjection, the pooler otherwise) and T5 (last
    hidden state); their tokenizers as tokenizer.json + tokenizer_config.json;
  - the transformer with Lamina's inputs on top of the diffusers ones: an additive
    attention bias over the joint [text; image] sequence (every joint and single block;
    SD3.5 Medium's image-only second attention `attn2` gets its image-image part),
    and per-joint-block text K/V outputs with override inputs mixed in by `kv_mix`
    (k <- k + mix (k_override - k); zeros = no effect); dynamic batch, text length and
    latent size. Attention runs through Lamina's own processors (below); for zero
    bias and zero mix they compute what diffusers' processors compute;
  - the VAE encoder (posterior mean) and decoder (kept in fp32: its output is pixels).
`--dtype fp16` stores the transformer's and text encoders' weights as fp16 (half the
file; each weight is cast back to fp32 when the session starts, so compute and results
stay fp32 on every execution provider); graphs over 2 GB keep their weights as external
data next to the .onnx (listed in the manifest like every other file).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .pack_files import file_table, ort_max_diff

OPSET = 17
FAMILIES = {"StableDiffusion3Pipeline": "sd3", "FluxPipeline": "flux"}
MASK_VALUE = -1.0e9


# --------------------------------------------------------------------------- attention
class AttentionContext:
    """What Lamina's processors read during one transformer call: the joint bias and the K/V overrides."""

    def __init__(self):
        self.bias = self.image_bias = None
        self.k_override = self.v_override = self.mix = None
        self.k_out: list[torch.Tensor] = []
        self.v_out: list[torch.Tensor] = []

    def start(self, bias, k_override, v_override, mix, image_bias=None):
        self.bias, self.k_override, self.v_override, self.mix = bias, k_override, v_override, mix
        self.image_bias = image_bias
        self.k_out, self.v_out = [], []

    def patch(self, block: int, k: torch.Tensor, v: torch.Tensor):
        """Text keys / values [B, H, T, D] of joint block `block`: recorded, then mixed with the override."""
        self.k_out.append(k)
        self.v_out.append(v)
        if self.mix is None:
            return k, v
        m = self.mix[:, block].reshape(-1, 1, 1, 1)
        return k + m * (self.k_override[block] - k), v + m * (self.v_override[block] - v)


def _heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """[B, S, H*D] -> [B, H, S, D]"""
    b, s, hd = x.shape
    return x.reshape(b, s, heads, hd // heads).transpose(1, 2)


class SD3JointProcessor:
    """SD3 joint attention over [text; image] with Lamina's bias and text K/V patching."""

    def __init__(self, ctx: AttentionContext, block: int):
        self.ctx, self.block = ctx, block

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, *args, **kwargs):
        h, e, H = hidden_states, encoder_hidden_states, attn.heads
        q, k, v = _heads(attn.to_q(h), H), _heads(attn.to_k(h), H), _heads(attn.to_v(h), H)
        if attn.norm_q is not None:
            q = attn.norm_q(q)
        if attn.norm_k is not None:
            k = attn.norm_k(k)
        tq, tk, tv = _heads(attn.add_q_proj(e), H), _heads(attn.add_k_proj(e), H), _heads(attn.add_v_proj(e), H)
        if attn.norm_added_q is not None:
            tq = attn.norm_added_q(tq)
        if attn.norm_added_k is not None:
            tk = attn.norm_added_k(tk)
        tk, tv = self.ctx.patch(self.block, tk, tv)
        out = F.scaled_dot_product_attention(torch.cat([tq, q], 2), torch.cat([tk, k], 2), torch.cat([tv, v], 2), attn_mask=self.ctx.bias)
        b, _, s, d = out.shape
        out = out.transpose(1, 2).reshape(b, s, H * d)
        t = e.shape[1]
        text_out, img_out = out[:, :t], out[:, t:]
        img_out = attn.to_out[1](attn.to_out[0](img_out))
        if not attn.context_pre_only:
            text_out = attn.to_add_out(text_out)
        return img_out, text_out


class SD3ImageProcessor:
    """SD3.5's second attention (`attn2` of an MMDiT-X dual-attention block): image-only self-attention,
    with the image-image part of the joint bias (the same pairs the joint attention masks; it has no text
    to mask). diffusers' JointAttnProcessor2_0 without encoder_hidden_states computes the same for zero bias."""

    def __init__(self, ctx: AttentionContext):
        self.ctx = ctx

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, *args, **kwargs):
        h, H = hidden_states, attn.heads
        q, k, v = _heads(attn.to_q(h), H), _heads(attn.to_k(h), H), _heads(attn.to_v(h), H)
        if attn.norm_q is not None:
            q = attn.norm_q(q)
        if attn.norm_k is not None:
            k = attn.norm_k(k)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=self.ctx.image_bias)
        b, _, s, d = out.shape
        return attn.to_out[1](attn.to_out[0](out.transpose(1, 2).reshape(b, s, H * d)))


def _rotate(x: torch.Tensor, rope) -> torch.Tensor:
    """FLUX's rotary embedding on [B, S, H, D] with (cos, sin) [S, D] over interleaved pairs, written
    with shape-free ops (the traced exporter bakes `x.reshape(*x.shape[:-1], ...)` into constants)."""
    cos, sin = rope[0][None, :, None, :], rope[1][None, :, None, :]
    pairs = x.unflatten(-1, (-1, 2))
    rotated = torch.stack([-pairs[..., 1], pairs[..., 0]], -1).flatten(-2)
    return (x.float() * cos + rotated.float() * sin).to(x.dtype)


class FluxProcessor:
    """FLUX attention (double-stream: text + image projections; single-stream: the joint sequence) with the bias and K/V patching."""

    def __init__(self, ctx: AttentionContext, block: int | None):
        self.ctx, self.block = ctx, block

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, image_rotary_emb=None, **kwargs):
        hd = attn.head_dim
        q = attn.norm_q(attn.to_q(hidden_states).unflatten(-1, (-1, hd)))
        k = attn.norm_k(attn.to_k(hidden_states).unflatten(-1, (-1, hd)))
        v = attn.to_v(hidden_states).unflatten(-1, (-1, hd))
        if encoder_hidden_states is not None:
            e = encoder_hidden_states
            tq = attn.norm_added_q(attn.add_q_proj(e).unflatten(-1, (-1, hd)))
            tk = attn.norm_added_k(attn.add_k_proj(e).unflatten(-1, (-1, hd)))
            tv = attn.add_v_proj(e).unflatten(-1, (-1, hd))
            tk, tv = self.ctx.patch(self.block, tk.transpose(1, 2), tv.transpose(1, 2))
            q, k, v = torch.cat([tq, q], 1), torch.cat([tk.transpose(1, 2), k], 1), torch.cat([tv.transpose(1, 2), v], 1)
        if image_rotary_emb is not None:
            q, k = _rotate(q, image_rotary_emb), _rotate(k, image_rotary_emb)
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=self.ctx.bias)
        out = out.transpose(1, 2).flatten(2, 3).to(q.dtype)
        if encoder_hidden_states is None:
            return out
        t = encoder_hidden_states.shape[1]
        text_out, img_out = out[:, :t], out[:, t:]
        return attn.to_out[1](attn.to_out[0](img_out.contiguous())), attn.to_add_out(text_out.contiguous())


class DecomposedRMSNorm(torch.nn.Module):
    """torch.nn.RMSNorm written out (the opset-17 exporter has no aten::rms_norm)."""

    def __init__(self, norm: torch.nn.RMSNorm):
        super().__init__()
        self.eps = norm.eps if norm.eps is not None else torch.finfo(torch.float32).eps
        self.weight = norm.weight

    def forward(self, x):
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return y * self.weight if self.weight is not None else y


def _decompose_rms_norms(module: torch.nn.Module) -> None:
    for name, child in list(module.named_children()):
        if isinstance(child, torch.nn.RMSNorm):
            setattr(module, name, DecomposedRMSNorm(child))
        else:
            _decompose_rms_norms(child)


class SD3Graph(torch.nn.Module):
    """SD3 / SD3.5: joint blocks; SD3.5 Medium's dual-attention blocks (MMDiT-X) add `attn2`, image-only."""

    def __init__(self, transformer):
        super().__init__()
        self.tr, self.ctx = transformer, AttentionContext()
        _decompose_rms_norms(transformer)
        self.dual_blocks = 0
        for i, blk in enumerate(transformer.transformer_blocks):
            blk.attn.set_processor(SD3JointProcessor(self.ctx, i))
            if getattr(blk, "attn2", None) is not None:
                blk.attn2.set_processor(SD3ImageProcessor(self.ctx))
                self.dual_blocks += 1

    def forward(self, latent, timestep, text_embeds, pooled_text, attn_bias, text_k_override, text_v_override, kv_mix):
        # the image-image part of the joint [text; image] bias, sliced once for every attn2
        image_bias = attn_bias[:, :, text_embeds.shape[1]:, text_embeds.shape[1]:] if self.dual_blocks else None
        self.ctx.start(attn_bias, text_k_override, text_v_override, kv_mix, image_bias)
        out = self.tr(hidden_states=latent, timestep=timestep, encoder_hidden_states=text_embeds, pooled_projections=pooled_text, return_dict=False)[0]
        return out, torch.stack(self.ctx.k_out), torch.stack(self.ctx.v_out)


class FluxGraph(torch.nn.Module):
    def __init__(self, transformer):
        super().__init__()
        self.tr, self.ctx = transformer, AttentionContext()
        _decompose_rms_norms(transformer)
        for i, blk in enumerate(transformer.transformer_blocks):
            blk.attn.set_processor(FluxProcessor(self.ctx, i))
        for blk in transformer.single_transformer_blocks:
            blk.attn.set_processor(FluxProcessor(self.ctx, None))

    def forward(self, latent, timestep, guidance, text_embeds, pooled_text, img_ids, txt_ids, attn_bias, text_k_override, text_v_override, kv_mix):
        self.ctx.start(attn_bias, text_k_override, text_v_override, kv_mix)
        out = self.tr(hidden_states=latent, timestep=timestep, guidance=guidance, encoder_hidden_states=text_embeds, pooled_projections=pooled_text,
                      img_ids=img_ids, txt_ids=txt_ids, return_dict=False)[0]
        return out, torch.stack(self.ctx.k_out), torch.stack(self.ctx.v_out)


class ClipGraph(torch.nn.Module):
    """input_ids -> (penultimate hidden states, pooled: text projection or pooler output)."""

    def __init__(self, model):
        super().__init__()
        self.m = model

    def forward(self, input_ids):
        out = self.m(input_ids=input_ids, output_hidden_states=True)
        pooled = out.text_embeds if hasattr(out, "text_embeds") and out.text_embeds is not None else out.pooler_output
        return out.hidden_states[-2], pooled


class Call(torch.nn.Module):
    """A graph that is one call on a component: T5's last hidden state, the VAE's posterior mean, its decoder."""

    def __init__(self, model, fn):
        super().__init__()
        self.m, self.fn = model, fn

    def forward(self, x):
        return self.fn(self.m, x)


def T5Graph(model):
    return Call(model, lambda m, ids: m(input_ids=ids).last_hidden_state)


def VaeEncoderGraph(vae):
    return Call(vae, lambda m, image: m.encode(image).latent_dist.mean)


def VaeDecoderGraph(vae):
    return Call(vae, lambda m, latent: m.decode(latent).sample)


# --------------------------------------------------------------------------- export helpers

def _dtype_name(t: torch.Tensor) -> str:
    return {torch.float32: "float32", torch.float16: "float16", torch.int64: "int64", torch.int32: "int32"}[t.dtype]


def _export(module, feeds: dict, out_names: list[str], dims: dict, path: Path, big: bool):
    """Exports `module(*feeds)` with symbolic dims `dims[name]` (int = fixed, str = symbolic)."""
    import onnx

    axes = {n: {i: d for i, d in enumerate(dims[n]) if isinstance(d, str)} for n in [*feeds, *out_names]}
    kw = dict(input_names=list(feeds), output_names=out_names, dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, dynamo=False)
    with torch.no_grad():
        torch.onnx.export(module, tuple(feeds.values()), str(path), **kw)
    model = onnx.load(str(path))
    for o in model.graph.output:
        for d, want in zip(o.type.tensor_type.shape.dim, dims[o.name]):
            if isinstance(want, str):
                d.dim_param = want
            else:
                d.dim_value = want
    if big:
        onnx.save(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=path.name + ".data")
    else:
        onnx.save(model, str(path))


def _to_fp16_storage(path: Path, big: bool) -> int:
    """Stores every float32 initializer with >= 1024 values as float16 followed by a Cast back to float32."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    g = model.graph
    nodes, converted = [], 0
    for init in list(g.initializer):
        if init.data_type != onnx.TensorProto.FLOAT or int(np.prod(init.dims)) < 1024:
            continue
        arr = numpy_helper.to_array(init)
        if np.abs(arr).max(initial=0) > 65000:
            continue
        name = init.name
        half = numpy_helper.from_array(arr.astype(np.float16), name + "__fp16")
        g.initializer.remove(init)
        g.initializer.append(half)
        nodes.append(helper.make_node("Cast", [half.name], [name], to=onnx.TensorProto.FLOAT, name=name + "__cast"))
        converted += 1
    for n in reversed(nodes):
        g.node.insert(0, n)
    if big:
        data = path.with_name(path.name + ".data")
        if data.exists():
            data.unlink()
        onnx.save(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=data.name)
    else:
        onnx.save(model, str(path))
    return converted


def _spec(name: str, t: torch.Tensor, dims) -> dict:
    return {"name": name, "dtype": _dtype_name(t), "dims": list(dims)}


# --------------------------------------------------------------------------- conversion
def _family(folder: Path) -> str:
    idx = json.loads((folder / "model_index.json").read_text())
    cls = idx.get("_class_name")
    if cls not in FAMILIES:
        raise SystemExit(f"{folder}/model_index.json: pipeline class {cls!r} is not one this converter knows ({', '.join(FAMILIES)})")
    return FAMILIES[cls]


def convert(folder: Path, out: Path, dtype: str = "fp32", pack_id: str | None = None, check: bool = True, log=print) -> dict:
    from diffusers import DiffusionPipeline

    folder, out = Path(folder), Path(out)
    family = _family(folder)
    t0 = time.time()
    pipe = DiffusionPipeline.from_pretrained(str(folder), torch_dtype=torch.float32)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.onnx*"):
        old.unlink()
    torch.manual_seed(0)
    graphs, report, tokenizers, encoders = {}, {}, {}, []

    def export(name, module, feeds, out_names, dims, halve=False):
        module.eval()
        path = out / f"{name}.onnx"
        with torch.no_grad():
            ref = module(*feeds.values())
        nbytes = sum(p.numel() * 4 for p in module.parameters())
        big = nbytes > 1.8e9
        _export(module, feeds, out_names, dims, path, big=big)
        if halve and dtype == "fp16":
            _to_fp16_storage(path, big=nbytes / 2 > 1.8e9)
        refs = ref if isinstance(ref, (tuple, list)) else [ref]
        graphs[name] = {"file": path.name, "inputs": [_spec(n, t, dims[n]) for n, t in feeds.items()],
                        "outputs": [_spec(n, t, dims[n]) for n, t in zip(out_names, refs)]}
        if check:
            report[name] = ort_max_diff(path, feeds, ref)
            log(f"{name}: ONNX vs torch max abs diff {report[name]:.3e} ({path.stat().st_size / 1e6:.2f} MB)")
        return ref

    # 1. tokenizers and text encoders, in the order the family concatenates them
    slots = [("tokenizer", "text_encoder"), ("tokenizer_2", "text_encoder_2")] + ([("tokenizer_3", "text_encoder_3")] if family == "sd3" else [])
    for tok_name, te_name in slots:
        tok, te = getattr(pipe, tok_name), getattr(pipe, te_name)
        if hasattr(te, "set_attn_implementation"):
            te.set_attn_implementation("eager")
        is_t5 = "T5" in type(te).__name__
        tdir = out / tok_name
        tdir.mkdir(exist_ok=True)
        tok.save_pretrained(str(tdir))
        for extra in tdir.iterdir():
            if extra.name not in ("tokenizer.json", "tokenizer_config.json"):
                extra.unlink()
        max_len = tok.model_max_length if not is_t5 else (256 if family == "sd3" else 512)
        tokenizers[tok_name] = {"type": "t5-unigram" if is_t5 else "clip-bpe", "file": f"{tok_name}/tokenizer.json", "config": f"{tok_name}/tokenizer_config.json",
                                "maxLength": int(max_len), "pad": "max_length"}
        ids = torch.randint(0, len(tok), (2, 9))
        if is_t5:
            hid = export(te_name, T5Graph(te), {"input_ids": ids}, ["hidden"], {"input_ids": ["batch", "text_len"], "hidden": ["batch", "text_len", te.config.d_model]}, halve=True)
            encoders.append({"graph": te_name, "tokenizer": tok_name, "io": {"ids": "input_ids", "hidden": "hidden"}, "hiddenSize": int(hid.shape[-1])})
        else:
            ids[:, -1] = tok.eos_token_id
            hid, pooled = export(te_name, ClipGraph(te), {"input_ids": ids}, ["hidden", "pooled"],
                                 {"input_ids": ["batch", "text_len"], "hidden": ["batch", "text_len", te.config.hidden_size], "pooled": ["batch", "pooled_dim"]}, halve=True)
            graphs[te_name]["outputs"][1]["dims"] = ["batch", int(pooled.shape[-1])]
            encoders.append({"graph": te_name, "tokenizer": tok_name, "io": {"ids": "input_ids", "hidden": "hidden", "pooled": "pooled"},
                             "hiddenSize": int(hid.shape[-1]), "pooledSize": int(pooled.shape[-1])})

    # 2. the transformer
    tr = pipe.transformer
    cfg = tr.config
    vae = pipe.vae
    f = 2 ** (len(vae.config.block_out_channels) - 1)
    B, T = 2, 7
    if family == "sd3":
        patch, C = cfg.patch_size, cfg.in_channels
        lh = lw = cfg.sample_size
        native = lh * f
        heads, hd, blocks = cfg.num_attention_heads, cfg.attention_head_dim, len(tr.transformer_blocks)
        N = (lh // patch) * (lw // patch)
        feeds = {"latent": torch.randn(B, C, lh, lw), "timestep": torch.tensor([900.0, 250.0]), "text_embeds": torch.randn(B, T, cfg.joint_attention_dim),
                 "pooled_text": torch.randn(B, cfg.pooled_projection_dim), "attn_bias": torch.zeros(B, 1, T + N, T + N),
                 "text_k_override": torch.zeros(blocks, B, heads, T, hd), "text_v_override": torch.zeros(blocks, B, heads, T, hd), "kv_mix": torch.zeros(B, blocks)}
        lat_dims = ["batch", C, "latent_height", "latent_width"]
        module = SD3Graph(tr)
        extra_io = {}
    else:
        C = cfg.in_channels  # packed: latent channels * 4
        lc = C // 4
        native = 2 * 64 // 1 if False else None
        lh = lw = 16  # latent grid exported at; any even size works
        native = lh * f
        patch = 2  # FLUX packs 2x2 latent patches in the pipeline
        heads, hd, blocks = cfg.num_attention_heads, cfg.attention_head_dim, len(tr.transformer_blocks)
        N = (lh // 2) * (lw // 2)
        img_ids = torch.zeros(lh // 2, lw // 2, 3)
        img_ids[..., 1] = torch.arange(lh // 2)[:, None]
        img_ids[..., 2] = torch.arange(lw // 2)[None, :]
        feeds = {"latent": torch.randn(B, N, C), "timestep": torch.tensor([0.9, 0.25]), "guidance": torch.tensor([3.5, 3.5]),
                 "text_embeds": torch.randn(B, T, cfg.joint_attention_dim), "pooled_text": torch.randn(B, cfg.pooled_projection_dim),
                 "img_ids": img_ids.reshape(N, 3), "txt_ids": torch.zeros(T, 3), "attn_bias": torch.zeros(B, 1, T + N, T + N),
                 "text_k_override": torch.zeros(blocks, B, heads, T, hd), "text_v_override": torch.zeros(blocks, B, heads, T, hd), "kv_mix": torch.zeros(B, blocks)}
        lat_dims = ["batch", "image_tokens", C]
        module = FluxGraph(tr)
        extra_io = {"guidance": "guidance", "imageIds": "img_ids", "textIds": "txt_ids"}
        del lc
    kv_dims = [blocks, "batch", heads, "text_len", hd]
    dims = {"latent": lat_dims, "timestep": ["batch"], "guidance": ["batch"], "text_embeds": ["batch", "text_len", cfg.joint_attention_dim],
            "pooled_text": ["batch", cfg.pooled_projection_dim], "img_ids": ["image_tokens", 3], "txt_ids": ["text_len", 3],
            "attn_bias": ["batch", 1, "joint_len", "joint_len"], "text_k_override": kv_dims, "text_v_override": kv_dims, "kv_mix": ["batch", blocks],
            "velocity": lat_dims, "text_k": kv_dims, "text_v": kv_dims}
    export("transformer", module, feeds, ["velocity", "text_k", "text_v"], dims, halve=True)
    if check:
        report.update(_transformer_checks(out / "transformer.onnx", module, feeds, family, log))
    attention_layers = blocks + (len(tr.single_transformer_blocks) if family == "flux" else 0)
    image_layers = module.dual_blocks if family == "sd3" else 0
    joint_adds, image_adds = _bias_adds(out / "transformer.onnx", "attn_bias")
    if (joint_adds, image_adds) != (attention_layers, image_layers):
        raise SystemExit(f"transformer.onnx: attn_bias is added in {joint_adds} joint and {image_adds} image-only attention layers, "
                         f"the transformer has {attention_layers} and {image_layers}")
    log(f"transformer: attn_bias is added in {joint_adds} of {attention_layers} joint attention layers"
        + (f", its image-image part in {image_adds} of {image_layers} image-only (SD3.5 attn2) layers" if image_layers else ""))

    # 3. the VAE (decoder fp32 always)
    vc = vae.config
    img = torch.rand(1, 3, native, native) * 2 - 1
    export("vae_encoder", VaeEncoderGraph(vae), {"image": img}, ["latent"],
           {"image": ["batch", 3, "height", "width"], "latent": ["batch", vc.latent_channels, "latent_height", "latent_width"]})
    export("vae_decoder", VaeDecoderGraph(vae), {"latent": torch.randn(1, vc.latent_channels, native // f, native // f)}, ["image"],
           {"latent": ["batch", vc.latent_channels, "latent_height", "latent_width"], "image": ["batch", 3, "height", "width"]})

    # 4. the manifest
    sch = pipe.scheduler.config
    dyn = None
    if sch.get("use_dynamic_shifting"):
        dyn = {"baseSeqLen": sch.get("base_image_seq_len", 256), "maxSeqLen": sch.get("max_image_seq_len", 4096),
               "baseShift": sch.get("base_shift", 0.5), "maxShift": sch.get("max_shift", 1.15)}
    transformer = {
        "graph": "transformer", "family": family, "patchSize": patch, "imageTokens": None, "blockCount": blocks,
        "textDim": cfg.joint_attention_dim, "prediction": "velocity",
        "io": {"latent": "latent", "timestep": "timestep", "text": "text_embeds", "output": "velocity", "pooledText": "pooled_text",
               "attentionBias": "attn_bias", "textKv": {"k": "text_k", "v": "text_v", "kOverride": "text_k_override", "vOverride": "text_v_override", "mix": "kv_mix"},
               **extra_io},
        "attentionMaskValue": MASK_VALUE,
        "attentionBiasLayers": attention_layers,
    }
    if image_layers:
        transformer["imageAttentionBiasLayers"] = image_layers
    if family == "flux":
        transformer["singleBlockCount"] = len(tr.single_transformer_blocks)
    manifest = {
        "format": "lamina-model-pack", "formatVersion": 2,
        "id": pack_id or f"{folder.name}",
        "version": "converted",
        "description": f"{family} pack converted from the diffusers folder {folder.name} by models/recipes/convert_diffusers.py",
        "pipelines": ["text-to-image", "layerbind"],
        "native": {"width": native, "height": native},
        "resolution": {"fixed": False, "multipleOf": f * patch},
        "components": {
            "tokenizers": tokenizers,
            "textEncoders": encoders,
            "transformer": transformer,
            "imageCodec": {"kind": "rgb-vae", "encoder": "vae_encoder", "decoder": "vae_decoder", "scaleFactor": f, "latentChannels": vc.latent_channels,
                           "scalingFactor": float(vc.scaling_factor), "shiftFactor": float(vc.shift_factor or 0.0),
                           "io": {"encoderImage": "image", "encoderLatent": "latent", "decoderLatent": "latent", "decoderImage": "image"},
                           "image": {"channels": 3, "range": [-1, 1], "premultiplied": False}},
            "scheduler": {"type": "flow-match-euler", "shift": float(sch.get("shift", 1.0)), "spacing": "diffusers" if family == "sd3" else "linspace",
                          "numTrainTimesteps": int(sch.get("num_train_timesteps", 1000)), "timestepScale": 1000.0 if family == "sd3" else 1.0,
                          "dynamicShift": dyn, "defaultSteps": 28, "defaultGuidance": 7.0 if family == "sd3" else 3.5,
                          "guidance": "cfg" if family == "sd3" else "embedded", "uncondPrompt": ""},
        },
        "graphs": graphs,
        "files": {},
        "about": {"conversion": {"source": str(folder), "family": family, "dtype": dtype, "opset": OPSET,
                                 "onnx_vs_torch_max_abs_diff": report, "seconds": round(time.time() - t0, 1),
                                 "torch": torch.__version__}},
    }
    manifest["files"] = file_table(out, recursive=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    log(f"wrote {out} ({family}, {len(manifest['files'])} files, {sum(f['bytes'] for f in manifest['files'].values()) / 1e6:.2f} MB)")
    return manifest


def _bias_adds(path: Path, name: str) -> tuple[int, int]:
    """The Adds that take input `name` (the bias: one per joint attention layer) and those that take a
    Slice of it (its image-image part: one per image-only attention layer); any other consumer is an error."""
    import onnx

    nodes = onnx.load(str(path), load_external_data=False).graph.node

    def adds(tensor: str, sliced: bool) -> tuple[int, int]:
        joint = image = 0
        for n in nodes:
            if tensor not in n.input:
                continue
            if n.op_type == "Add":
                joint, image = (joint, image + 1) if sliced else (joint + 1, image)
            elif n.op_type == "Slice" and n.input[0] == tensor:
                j, i = adds(n.output[0], True)
                joint, image = joint + j, image + i
            else:
                raise SystemExit(f"{path.name}: {name} feeds a {n.op_type} node ({n.name}), not an attention Add or a Slice")
        return joint, image

    return adds(name, False)


def _transformer_checks(path: Path, module, feeds: dict, family: str, log) -> dict:
    """ORT at a second latent size and text length (dynamic dims), a bias that masks, and the K/V override no-op."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    f2 = dict(feeds)
    B, T = 1, 5
    blocks = feeds["kv_mix"].shape[1]
    heads, hd = feeds["text_k_override"].shape[2], feeds["text_k_override"].shape[4]
    if family == "sd3":
        C, lh, lw = feeds["latent"].shape[1], feeds["latent"].shape[2] - 4, feeds["latent"].shape[3] + 4
        f2["latent"] = torch.randn(B, C, lh, lw)
        p = module.tr.config.patch_size
        N = (lh // p) * (lw // p)
        f2["timestep"] = torch.tensor([500.0])
    else:
        lh, lw = 12, 20
        N = (lh // 2) * (lw // 2)
        f2["latent"] = torch.randn(B, N, feeds["latent"].shape[2])
        ids = torch.zeros(lh // 2, lw // 2, 3)
        ids[..., 1] = torch.arange(lh // 2)[:, None]
        ids[..., 2] = torch.arange(lw // 2)[None, :]
        f2["img_ids"], f2["txt_ids"], f2["timestep"], f2["guidance"] = ids.reshape(N, 3), torch.zeros(T, 3), torch.tensor([0.5]), torch.tensor([4.0])
    J = T + N
    f2["text_embeds"] = torch.randn(B, T, feeds["text_embeds"].shape[2])
    f2["pooled_text"] = torch.randn(B, feeds["pooled_text"].shape[1])
    bias = torch.zeros(B, 1, J, J)
    bias[:, :, T:, 1:3] = MASK_VALUE  # image tokens do not see text tokens 1-2
    bias[:, :, T:T + N // 2, T + N // 2:] = MASK_VALUE  # the first half of the image does not see the second (reaches SD3.5's attn2)
    f2["attn_bias"] = bias
    f2["text_k_override"] = torch.zeros(blocks, B, heads, T, hd)
    f2["text_v_override"] = torch.zeros(blocks, B, heads, T, hd)
    f2["kv_mix"] = torch.zeros(B, blocks)
    with torch.no_grad():
        ref = module(*f2.values())
    np_feeds = {k: v.numpy() for k, v in f2.items()}
    got = sess.run(None, np_feeds)
    dyn = float(max(np.abs(g - r.numpy()).max() for g, r in zip(got, ref)))
    # the K/V override equal to the block's own K/V, fully mixed in: a no-op
    np_feeds2 = dict(np_feeds, text_k_override=got[1], text_v_override=got[2], kv_mix=np.ones((B, blocks), np.float32))
    got2 = sess.run(None, np_feeds2)
    noop = float(np.abs(got2[0] - got[0]).max())
    # bias zero == diffusers' own attention (our processors vs diffusers' processors)
    log(f"transformer: dynamic dims ({lh}x{lw} latent, {T} text tokens, masked bias) ONNX vs torch {dyn:.3e}; K/V override = own K/V changes velocity by {noop:.3e}")
    return {"transformer_dynamic_masked": dyn, "transformer_kv_override_noop": noop}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--dtype", choices=["fp16", "fp32"], default="fp32")
    ap.add_argument("--id", default=None)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the manifest's conversion report as JSON on the last line")
    a = ap.parse_args(argv)
    if not (a.folder / "model_index.json").is_file():
        print(f"{a.folder}: no model_index.json (a diffusers folder has one)", file=sys.stderr)
        return 2
    log = (lambda s: print(s, file=sys.stderr)) if a.json else print
    m = convert(a.folder, a.out, a.dtype, a.id, check=not a.no_check, log=log)
    if a.json:
        print(json.dumps({"out": str(a.out), "id": m["id"], **m["about"]["conversion"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

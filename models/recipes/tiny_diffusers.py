"""Tiny random diffusers folders (SD3 and FLUX.1 layouts) built offline, for the converter
and the parity tests: the same model_index.json + component folders + safetensors a user
downloads, with random weights small enough for a CPU test (kilobytes to a few MB).

    python -m models.recipes.tiny_diffusers --family sd3 --out /tmp/tiny-sd3
    python -m models.recipes.tiny_diffusers --family flux --out /tmp/tiny-flux
    python -m models.recipes.tiny_diffusers --family sd35 --out /tmp/tiny-sd35   # SD3.5 Medium (dual attention) + Large blocks

The tokenizers are made here from a small corpus: a CLIP byte-level BPE (256 byte symbols,
the same with the end-of-word mark, merges learned on the corpus, then the start / end
tokens) and a T5-style unigram (trained with `tokenizers`' UnigramTrainer, Metaspace
pre-tokenizer, `</s>` appended). Every size differs from every other on purpose (CLIP-L 16
wide, CLIP-G 24, T5 48) so a mixed-up dimension fails loudly instead of passing by luck.
"""
from __future__ import annotations

import argparse
import collections
import json
import tempfile
from pathlib import Path

import torch

CORPUS = """a large red circle on a white background
a small blue square next to a green triangle
two yellow stars above a purple ring, a lamp on a wooden table
the cat sits on the mat under the window; a dog runs in the park
a photo of an astronaut riding a horse on mars, highly detailed, 4k
a bowl of fruit: apples, oranges and bananas on a kitchen counter
neon sign that says "open" in a dark street at night
a watercolor painting of mountains and a lake at sunrise
portrait of a woman with a red hat, studio lighting, 85mm
an isometric illustration of a tiny house with a garden
""" * 3


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP's reversible byte -> printable character map (written out from its definition)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def learn_clip_bpe(corpus: str, merges_wanted: int) -> tuple[dict[str, int], list[str]]:
    """A CLIP-format BPE vocabulary learned on `corpus` (lowercase words; end-of-word mark '</w>')."""
    import re

    b2u = bytes_to_unicode()
    words = collections.Counter(re.findall(r"[a-z]+|[0-9]|[^\sa-z0-9]+", corpus.lower()))
    seqs = {w: [b2u[b] for b in w.encode("utf-8")] for w in words}
    for w in seqs:
        seqs[w][-1] += "</w>"
    base = [b2u[b] for b in range(256)]
    vocab_list = base + [c + "</w>" for c in base]
    merges: list[str] = []
    for _ in range(merges_wanted):
        pairs = collections.Counter()
        for w, s in seqs.items():
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += words[w]
        if not pairs:
            break
        (a, b), _n = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(f"{a} {b}")
        vocab_list.append(a + b)
        for w, s in seqs.items():
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]
    return {t: i for i, t in enumerate(vocab_list)}, merges


def clip_tokenizer(pad_token: str, max_length: int = 77):
    from transformers import CLIPTokenizer

    vocab, merges = learn_clip_bpe(CORPUS, 120)
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "vocab.json").write_text(json.dumps(vocab))
        (Path(d) / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
        tok = CLIPTokenizer(vocab=str(Path(d) / "vocab.json"), merges=str(Path(d) / "merges.txt"), pad_token=pad_token, model_max_length=max_length)
    return tok


def t5_tokenizer(vocab_size: int = 300, max_length: int = 512):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import T5TokenizerFast

    tk = Tokenizer(models.Unigram())
    tk.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" {2,}", " ")])
    tk.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")])
    tk.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>", shrinking_factor=0.75)
    tk.train_from_iterator(CORPUS.splitlines(), trainer=trainer)
    eos = tk.token_to_id("</s>")
    tk.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)])
    return T5TokenizerFast(tokenizer_object=tk, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", extra_ids=0, model_max_length=max_length)


def clip_config(tok, hidden: int, projection: int, layers: int = 2):
    from transformers import CLIPTextConfig

    return CLIPTextConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=2 * hidden + 5, num_attention_heads=2, num_hidden_layers=layers,
                          max_position_embeddings=tok.model_max_length, projection_dim=projection, hidden_act="gelu",
                          bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, layer_norm_eps=1e-5)


def t5_encoder(tok, d_model: int):
    from transformers import T5Config, T5EncoderModel

    cfg = T5Config(vocab_size=len(tok), d_model=d_model, d_kv=8, d_ff=2 * d_model + 3, num_layers=2, num_heads=4,
                   relative_attention_num_buckets=8, relative_attention_max_distance=20, feed_forward_proj="gated-gelu",
                   pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.pad_token_id)
    return T5EncoderModel(cfg)


def tiny_vae(latent_channels: int, shift: float, scale: float):
    from diffusers import AutoencoderKL

    return AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                         block_out_channels=(8, 16), layers_per_block=1, latent_channels=latent_channels, norm_num_groups=4,
                         use_quant_conv=False, use_post_quant_conv=False, shift_factor=shift, scaling_factor=scale)


# SD3 transformer variants (diffusers' SD3Transformer2DModel arguments that differ between releases):
#   sd3   SD3 Medium: joint blocks, no q/k norm
#   sd35  SD3.5 Medium (MMDiT-X): q/k RMSNorm, dual-attention blocks (a second, image-only attention `attn2`)
#         first, then plain q/k-normed joint blocks, which are SD3.5 Large's blocks (qk_norm="rms_norm", no dual attention)
SD3_VARIANTS = {
    "sd3": dict(num_layers=2, qk_norm=None, dual_attention_layers=()),
    "sd35": dict(num_layers=3, qk_norm="rms_norm", dual_attention_layers=(0,)),
    "sd35-large": dict(num_layers=2, qk_norm="rms_norm", dual_attention_layers=()),
}


def build_sd3(out: Path, seed: int = 0, variant: str = "sd3") -> Path:
    from diffusers import FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel, StableDiffusion3Pipeline
    from transformers import CLIPTextModelWithProjection

    torch.manual_seed(seed)
    tok_l, tok_g = clip_tokenizer("<|endoftext|>"), clip_tokenizer("!")
    tok_t5 = t5_tokenizer()
    te_l = CLIPTextModelWithProjection(clip_config(tok_l, 16, 16))
    te_g = CLIPTextModelWithProjection(clip_config(tok_g, 24, 24))
    te_t5 = t5_encoder(tok_t5, 48)
    transformer = SD3Transformer2DModel(sample_size=16, patch_size=2, in_channels=4, attention_head_dim=8, num_attention_heads=4,
                                        joint_attention_dim=48, caption_projection_dim=32, pooled_projection_dim=40, out_channels=4,
                                        pos_embed_max_size=16, **SD3_VARIANTS[variant])
    vae = tiny_vae(4, 0.0609, 1.5035)
    sched = FlowMatchEulerDiscreteScheduler(shift=3.0)
    pipe = StableDiffusion3Pipeline(transformer=transformer, scheduler=sched, vae=vae, text_encoder=te_l, tokenizer=tok_l,
                                    text_encoder_2=te_g, tokenizer_2=tok_g, text_encoder_3=te_t5, tokenizer_3=tok_t5)
    pipe.save_pretrained(str(out))
    return out


def build_flux(out: Path, seed: int = 0) -> Path:
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxPipeline, FluxTransformer2DModel
    from transformers import CLIPTextModel

    torch.manual_seed(seed)
    tok_l, tok_t5 = clip_tokenizer("<|endoftext|>"), t5_tokenizer()
    te_l = CLIPTextModel(clip_config(tok_l, 24, 24))
    te_t5 = t5_encoder(tok_t5, 40)
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=16, out_channels=16, num_layers=2, num_single_layers=2, attention_head_dim=16,
                                         num_attention_heads=2, joint_attention_dim=40, pooled_projection_dim=24, guidance_embeds=True, axes_dims_rope=[4, 4, 8])
    vae = tiny_vae(4, 0.1159, 0.3611)
    sched = FlowMatchEulerDiscreteScheduler(shift=3.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=1.15, base_image_seq_len=256, max_image_seq_len=4096)
    pipe = FluxPipeline(transformer=transformer, scheduler=sched, vae=vae, text_encoder=te_l, tokenizer=tok_l, text_encoder_2=te_t5, tokenizer_2=tok_t5)
    pipe.save_pretrained(str(out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", choices=[*SD3_VARIANTS, "flux"], required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.family == "flux":
        build_flux(a.out, a.seed)
    else:
        build_sd3(a.out, a.seed, a.family)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()

"""Export a trained checkpoint to the lamina-tiny ONNX pack and write manifest.json.

    python -m models.recipes.export_onnx --ckpt /work/ckpt/cpu --out models/lamina-tiny --eval

Uses the EMA weights of the text encoder and transformer. --eval also scores the model on
test scenes (samples.png) and writes MODEL_CARD.md; the manifest is written last so it
hashes every file in the pack. Checks every graph against
PyTorch with ONNX Runtime on shapes other than the export shapes, and records the
max abs difference in the manifest.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import onnx
import torch

from . import checkpoint as ck
from . import config as config_lib
from .pack_files import file_table, ort_max_diff
from .train import load_trained
from .world import WORLD_JSON, World

OPSET = 17
PACK_VERSION = "0.1.0"


class TextEncoderGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)


class TransformerGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, latent, timestep, text_embeds, text_mask, attn_bias, text_k_override, text_v_override, kv_mix):
        return self.m(latent, timestep, text_embeds, text_mask, attn_bias, text_k_override, text_v_override, kv_mix)


class VAEEncoderGraph(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, image):
        return self.vae.encode(image)


class VAEDecoderGraph(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent):
        return self.vae.decode(latent)


def _export(module, args, path, in_names, out_names, axes, out_dims):
    module.eval()
    torch.onnx.export(module, args, str(path), input_names=in_names, output_names=out_names,
                      dynamic_axes=axes, opset_version=OPSET, dynamo=False, do_constant_folding=True)
    model = onnx.load(str(path))
    for o in model.graph.output:  # name every output dim (the exporter invents some names)
        for d, want in zip(o.type.tensor_type.shape.dim, out_dims[o.name]):
            if isinstance(want, str):
                d.dim_param = want
            else:
                d.dim_value = want
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def _io(path):
    m = onnx.load(str(path), load_external_data=False)
    init = {i.name for i in m.graph.initializer}

    def desc(v):
        t = v.type.tensor_type
        dims = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
        return {"name": v.name, "dtype": onnx.helper.tensor_dtype_to_np_dtype(t.elem_type).name, "dims": dims}

    return {"inputs": [desc(v) for v in m.graph.input if v.name not in init],
            "outputs": [desc(v) for v in m.graph.output]}


def _max_diff(path, module, feeds):
    with torch.no_grad():
        return ort_max_diff(path, feeds, module(*feeds.values()))


def export(ckpt_dir: Path, out: Path, world_json: Path = WORLD_JSON, check=True, evaluate=False, bench=None,
           dit_file="dit.pt", version=PACK_VERSION, sample_shift=None, vae_file="vae.pt"):
    out.mkdir(parents=True, exist_ok=True)
    vae_state = ck.load(ckpt_dir / vae_file)
    dit_state = ck.load(ckpt_dir / dit_file)
    if vae_state is None or dit_state is None:
        raise SystemExit(f"need {ckpt_dir}/{vae_file} and {ckpt_dir}/{dit_file} (run models.recipes.train first)")
    world = World.load(world_json)
    recipe, vae, text, dit = load_trained(vae_state, dit_state, world)
    if sample_shift is not None:
        recipe.train.sample_shift = sample_shift
    dc, S = recipe.dit, recipe.train.image_size
    f, C, nb, H, hd = recipe.vae.scale_factor, dc.latent_channels, dc.blocks, dc.heads, dc.head_dim
    N = dc.image_tokens
    g = torch.Generator().manual_seed(0)

    def tr_inputs(B, T):
        return {"latent": torch.randn(B, C, dc.latent_size, dc.latent_size, generator=g),
                "timestep": torch.rand(B, generator=g),
                "text_embeds": torch.randn(B, T, dc.text_dim, generator=g),
                "text_mask": torch.cat([torch.ones(B, T - 2), torch.tensor([[1.0, 0.0]]).expand(B, 2)], 1),
                "attn_bias": torch.randn(B, 1, T + N, T + N, generator=g).clamp(-2, 2),
                "text_k_override": torch.randn(nb, B, H, T, hd, generator=g),
                "text_v_override": torch.randn(nb, B, H, T, hd, generator=g),
                "kv_mix": torch.rand(B, nb, generator=g)}

    ids = torch.randint(4, len(world.spec["vocab"]), (2, 9), generator=g)
    graphs = {
        "text_encoder": (TextEncoderGraph(text), {"input_ids": ids, "attention_mask": torch.ones_like(ids)},
                         ["text_embeds"],
                         {"input_ids": {0: "batch", 1: "text_len"}, "attention_mask": {0: "batch", 1: "text_len"},
                          "text_embeds": {0: "batch", 1: "text_len"}}),
        "transformer": (TransformerGraph(dit), tr_inputs(2, 9), ["velocity", "text_k", "text_v"],
                        {"latent": {0: "batch"}, "timestep": {0: "batch"},
                         "text_embeds": {0: "batch", 1: "text_len"}, "text_mask": {0: "batch", 1: "text_len"},
                         "attn_bias": {0: "batch", 2: "joint_len", 3: "joint_len"},
                         "text_k_override": {1: "batch", 3: "text_len"}, "text_v_override": {1: "batch", 3: "text_len"},
                         "kv_mix": {0: "batch"}, "velocity": {0: "batch"},
                         "text_k": {1: "batch", 3: "text_len"}, "text_v": {1: "batch", 3: "text_len"}}),
        "vae_encoder": (VAEEncoderGraph(vae), {"image": torch.rand(2, 4, S, S, generator=g)}, ["latent"],
                        {"image": {0: "batch", 2: "height", 3: "width"},
                         "latent": {0: "batch", 2: "latent_height", 3: "latent_width"}}),
        "vae_decoder": (VAEDecoderGraph(vae), {"latent": torch.randn(2, C, S // f, S // f, generator=g)}, ["image"],
                        {"latent": {0: "batch", 2: "latent_height", 3: "latent_width"},
                         "image": {0: "batch", 2: "height", 3: "width"}}),
    }
    check_feeds = {
        "text_encoder": {"input_ids": torch.randint(4, 80, (3, 17), generator=g),
                         "attention_mask": torch.cat([torch.ones(3, 12, dtype=torch.int64),
                                                      torch.zeros(3, 5, dtype=torch.int64)], 1)},
        "transformer": tr_inputs(3, 21),
        "vae_encoder": {"image": torch.rand(3, 4, S, S, generator=g)},
        "vae_decoder": {"latent": torch.randn(3, C, S // f, S // f, generator=g)},
    }
    kv = [nb, "batch", H, "text_len", hd]
    out_dims = {"text_embeds": ["batch", "text_len", dc.text_dim], "velocity": ["batch", C, dc.latent_size, dc.latent_size],
                "text_k": kv, "text_v": kv, "latent": ["batch", C, "latent_height", "latent_width"],
                "image": ["batch", 4, "height", "width"]}
    report = {}
    for name, (mod, feeds, outs, axes) in graphs.items():
        path = out / f"{name}.onnx"
        _export(mod, tuple(feeds.values()), path, list(feeds), outs, axes, out_dims)
        if check:
            report[name] = _max_diff(path, mod, check_feeds[name])
            print(f"{name}: ONNX vs torch max abs diff {report[name]:.3e} ({path.stat().st_size / 1e6:.2f} MB)")
    if world_json.resolve() != (out / "world.json").resolve():
        shutil.copy(world_json, out / "world.json")
    if evaluate:
        from . import evaluate as evaluate_lib
        from . import model_card

        scores = evaluate_lib.evaluate(ckpt_dir, grid=out / "samples.png", states=(vae_state, dit_state),
                                       sample_shift=config_lib.sampling_shift(recipe.train))
        (out / "samples.txt").unlink(missing_ok=True)
        print(json.dumps(scores, indent=1))
        model_card.write(out, recipe, vae_state, dit_state, report, scores, ckpt_dir, bench, dit_file, version, vae_file)
    else:
        scores = None
    write_manifest(out, recipe, vae_state, dit_state, report, scores, version)
    return report


def write_manifest(out: Path, recipe, vae_state, dit_state, report, scores=None, version=PACK_VERSION):
    dc = recipe.dit
    graphs = {}
    for name in ("text_encoder", "transformer", "vae_encoder", "vae_decoder"):
        graphs[name] = {"file": f"{name}.onnx", **_io(out / f"{name}.onnx")}
        if name in report:
            graphs[name]["onnx_vs_torch_max_abs_diff"] = report[name]
    manifest = {
        "format": "lamina-model-pack",
        "format_version": 1,
        "id": "lamina-tiny",
        "version": version,
        "license": "Apache-2.0",
        "description": "Tiny MMDiT + RGBA VAE trained from scratch on the synthetic Lamina world (models/recipes).",
        "native_size": {"width": recipe.train.image_size, "height": recipe.train.image_size},
        "opset": OPSET,
        "latent": {"channels": dc.latent_channels, "vae_scale_factor": recipe.vae.scale_factor,
                   "scaling_factor": vae_state["latent_scale"], "shift_factor": vae_state["latent_shift"],
                   "about": "transformer latents = (vae_encoder.latent - shift_factor) * scaling_factor; "
                            "vae_decoder.latent = latents / scaling_factor + shift_factor"},
        "image": {"channels": 4, "layout": "NCHW", "pixel_format": "rgba_premultiplied", "range": [0, 1],
                  "dims": "height = latent_height * vae_scale_factor (likewise width); any multiple of "
                          "vae_scale_factor works for the VAE, the transformer takes the native size only"},
        "transformer": {"patch_size": dc.patch_size, "block_count": dc.blocks, "heads": dc.heads,
                        "head_dim": dc.head_dim, "hidden_size": dc.dim, "text_dim": dc.text_dim,
                        "image_tokens": dc.image_tokens, "joint_sequence": "[text; image]",
                        "prediction": "velocity (noise - clean latent)",
                        "timestep": "sigma in [0, 1], 1 = pure noise",
                        "attn_bias": "additive, [batch, 1, joint_len, joint_len], joint_len = text_len + image_tokens; zeros = no effect",
                        "kv_patching": "text_k/v = per-block text keys/values; k <- k + kv_mix[b, block] * (text_k_override - k); kv_mix zeros = no effect",
                        "attention_mask_value": -1e4},
        "scheduler": {"type": "flow_match_euler", "shift": config_lib.sampling_shift(recipe.train), "sigma_max": 1.0,
                      "sigma_min": 0.0, "default_steps": 20, "default_guidance": 4.0,
                      "sigmas": "sigma_i = shift * t_i / (1 + (shift - 1) * t_i), t_i = 1 - i / steps, i = 0..steps; "
                                "x <- x + (sigma_{i+1} - sigma_i) * v",
                      "guidance": "v = v_uncond + guidance * (v_cond - v_uncond); uncond prompt = empty string"},
        "tokenizer": {"type": "word", "file": "world.json", "max_length": recipe.text.max_length},
        "training": {"recipe": recipe.name, "vae_steps": vae_state["step"], "dit_steps": dit_state["step"],
                     "vae_metrics": vae_state.get("metrics"), "test_scores": scores},
        "graphs": graphs,
    }
    manifest["files"] = file_table(out)
    manifest["total_bytes"] = sum(v["bytes"] for v in manifest["files"].values())
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {out / 'manifest.json'}: {manifest['total_bytes'] / 1e6:.2f} MB in {len(manifest['files'])} files")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default="/work/ckpt/cpu")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "lamina-tiny"))
    ap.add_argument("--dit", default="dit.pt", help="DiT checkpoint file inside --ckpt")
    ap.add_argument("--vae", default="vae.pt", help="VAE checkpoint file inside --ckpt (e.g. vae_decoder_ft.pt)")
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--eval", action="store_true", help="also score on test scenes, save samples.png, write MODEL_CARD.md")
    ap.add_argument("--bench-note", default=None, help="text for the model card's speed section")
    ap.add_argument("--version", default=PACK_VERSION, help="the pack's version (manifest and model card)")
    ap.add_argument("--sample-shift", type=float, default=None,
                    help="the pack's sampling shift (default: the checkpoint's sample_shift, else its training shift)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    export(Path(args.ckpt), Path(args.out), check=not args.no_check, evaluate=args.eval, bench=args.bench_note,
           dit_file=args.dit, version=args.version, sample_shift=args.sample_shift, vae_file=args.vae)


if __name__ == "__main__":
    main()

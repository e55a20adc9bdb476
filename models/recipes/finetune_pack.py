"""The pack a fine-tune of a base pack's MMDiT ships as (ART, LayerDecomp): the fine-tuned
transformer graph plus the base pack's text encoder, VAE and world.json (copied: a pack is
self-contained and checksummed), and a format 1 manifest made of the base's sections, the
new graph as its `transformer`, and the method's own section (`art`, `decompose`) that the
TypeScript manifest migration (common/models/pack-manifest-migrate.ts) turns into a
component. Used by art.py and decomp.py."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from .pack_files import file_table

BASE_FILES = ("vae_encoder.onnx", "vae_decoder.onnx", "text_encoder.onnx", "world.json")
BASE_SECTIONS = ("format", "format_version", "license", "native_size", "opset", "latent", "image", "transformer",
                 "scheduler", "tokenizer")


def write_pack(base_pack: Path, out: Path, *, pack_id: str, version: str, pipeline: str, description: str,
               graph: dict, section: dict, transformer: dict | None = None) -> dict:
    """`graph`: the new transformer's graph entry (file, inputs, outputs, ORT diff), its file
    already in `out`; `section`: the method's manifest section, named after the pipeline's
    method (`art` / `decompose`); `transformer`: fields that replace the base's description."""
    base_pack, out = Path(base_pack), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    base = json.loads((base_pack / "manifest.json").read_text())
    for name in BASE_FILES:
        shutil.copy(base_pack / name, out / name)
    manifest = {k: base[k] for k in BASE_SECTIONS if k in base}
    manifest.update({"id": pack_id, "version": version, "pipelines": [pipeline],
                     "description": f"{description}: a fine-tune of {base['id']} {base['version']}'s MMDiT"})
    manifest["transformer"] = {**base["transformer"], **(transformer or {})}
    manifest["transformer"].pop("kv_patching", None)
    manifest["graphs"] = {k: base["graphs"][k] for k in ("text_encoder", "vae_encoder", "vae_decoder")}
    manifest["graphs"]["transformer"] = graph
    manifest[pipeline] = {**section, "base": f"{base['id']} {base['version']}"}
    manifest["files"] = file_table(out)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def finetune_cli(doc: str, pack_id: str, version: str, batch: int, lr: float):
    """The command line every fine-tune recipe shares: `train` (resumable, CPU-seconds
    budget) and `export` (a pack) subcommands; the recipe adds its own options to them.
    Returns (parser, subparsers, train parser, export parser)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train")
    tr.add_argument("--ckpt", required=True)
    tr.add_argument("--base", default=None, help="the base model's checkpoint folder (vae.pt, dit.pt; see pack_torch)")
    tr.add_argument("--recipe", default="tiny", help="without --base: a random model of this recipe (tests)")
    tr.add_argument("--cpu-seconds", type=float, default=None)
    tr.add_argument("--steps", type=int, default=10 ** 9)
    tr.add_argument("--batch", type=int, default=batch)
    tr.add_argument("--lr", type=float, default=lr)
    tr.add_argument("--threads", type=int, default=1)
    tr.add_argument("--log-every", type=int, default=10)
    tr.add_argument("--save-seconds", type=float, default=300)
    tr.add_argument("--resume-from", default=None, help=f"a resume file (models/resume/{pack_id}.pt) when CKPT is empty")
    rf = sub.add_parser("resume-file", help="the weights in fp16 with step and CPU seconds, small enough to commit")
    rf.add_argument("--ckpt", required=True)
    rf.add_argument("--out", default=f"models/resume/{pack_id}.pt")
    ex = sub.add_parser("export")
    ex.add_argument("--ckpt", required=True)
    ex.add_argument("--out", required=True)
    ex.add_argument("--recipe", default="tiny")
    ex.add_argument("--base-pack", default="models/lamina-tiny")
    ex.add_argument("--id", default=pack_id)
    ex.add_argument("--version", default=version)
    return ap, sub, tr, ex


def load_base(base_dir: Path | None, world, recipe_name="tiny"):
    """(recipe, vae, text, dit, shift, scale): a base run's EMA weights (a training folder,
    or a pack read back by pack_torch), or a random `recipe_name` model (tests)."""
    from . import checkpoint as ck
    from . import config as config_lib
    from .train import build, load_trained

    if base_dir is not None:
        vs, ds = ck.load(Path(base_dir) / "vae.pt"), ck.load(Path(base_dir) / "dit.pt")
        recipe, vae, text, dit = load_trained(vs, ds, world)
        return recipe, vae, text, dit, float(ds["latent_shift"]), float(ds["latent_scale"])
    recipe = config_lib.get(recipe_name)
    vae, text, dit = build(recipe, world)
    return recipe, vae.eval(), text.eval(), dit, 0.0, 1.0


def save_state(path: Path, model, opt, step: int, elapsed: float, base_dir, recipe, shift: float, scale: float) -> None:
    """A fine-tune's resumable checkpoint: its weights, optimizer, step, budget seconds and base."""
    from . import checkpoint as ck

    ck.save(path, {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed,
                   "base": str(base_dir) if base_dir else None, "recipe": recipe.to_dict(),
                   "latent_shift": shift, "latent_scale": scale})


def load_state(path: Path, wrap, world, recipe_name="tiny"):
    """A trained fine-tune reopened: (model = wrap(base dit) with the checkpoint's weights,
    in eval mode, recipe, vae, text, shift, scale, state)."""
    from . import checkpoint as ck

    state = ck.load(path)
    if state is None:
        raise SystemExit(f"no {path.name} in {path.parent}: train first")
    base_dir = Path(state["base"]) if state["base"] else None
    recipe, vae, text, dit, shift, scale = load_base(base_dir, world, recipe_name)
    model = wrap(dit)
    model.load_state_dict(state["model"])
    return model.eval(), recipe, vae, text, shift, scale, state


def write_resume_file(state_path: Path, path: Path, kind: str) -> dict:
    """A fine-tune's weights in fp16 with their step and CPU seconds (no optimizer): what a
    new machine needs to continue (`train --base ... --resume-from FILE`)."""
    from . import checkpoint as ck

    state = ck.load(Path(state_path))
    if state is None:
        raise SystemExit(f"no {Path(state_path).name} in {Path(state_path).parent}: train first")
    out = {"format": f"lamina-{kind}-resume", "format_version": 1, "step": state["step"], "elapsed": state["elapsed"],
           "base": state["base"], "recipe": state["recipe"],
           "model": {k: v.half() if v.is_floating_point() else v for k, v in state["model"].items()}}
    ck.save(path, out)
    return out


def seed_from_resume(model, path, kind: str) -> dict:
    """Load a resume file's weights into `model`; -> the state to continue from (fresh optimizer)."""
    from . import checkpoint as ck

    seed = ck.load(Path(path))
    if not seed or seed.get("format") != f"lamina-{kind}-resume":
        raise SystemExit(f"{path}: not a {kind} resume file (python -m models.recipes.{kind} resume-file)")
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in seed["model"].items()})
    return {"step": seed["step"], "elapsed": seed["elapsed"], "opt": None}

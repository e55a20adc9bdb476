"""Calibration of training recipes (docs/training/calibration.md): judge the EMA snapshots
of a run with the project's TypeScript judge, and put runs side by side.

    # train a variant (config.CALIBRATION): 2400 CPU s of DiT on one thread, snapshots every 600 s
    nice -n 10 python -m models.recipes.train --config cal-pixel --ckpt /work/ckpt/cal-pixel
    # sample the held-out captions from every snapshot and judge them
    python -m models.recipes.calibrate judge --ckpt /work/ckpt/cal-pixel
    # the judge again on the images already sampled (after the judge changed)
    python -m models.recipes.calibrate rejudge --ckpt /work/ckpt/cal-pixel
    # a latent recipe's representation ceiling: the judge on the caption scenes' VAE round trip
    python -m models.recipes.calibrate ceiling --ckpt /work/ckpt/cal-latent8
    # table + grid for the docs
    python -m models.recipes.calibrate report --runs /work/ckpt/cal-control /work/ckpt/cal-pixel --out docs/training

Samples are 128 x 128, 20 Euler steps, guidance 4, the recipe's sampling shift, from the
held-out captions of main/engine/evaluation/fixtures/test-captions.json (their first
`--singles` one-object and `--pairs` two-object captions; the snapshot at the end of the
run's budget gets `--final-singles` / `--final-pairs`). Judged snapshots are not judged
again unless `--redo`. Images go to {ckpt}/judge/{snapshot}/caption-NNN.png
and are judged by `evaluate-pack.ts --images`; results to {ckpt}/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from . import checkpoint as ck
from . import config as config_lib
from .images import save_rgba_grid
from .sampling import sample
from .text import Tokenizer
from .world import World

REPO = Path(__file__).resolve().parents[2]
CAPTIONS = REPO / "main" / "engine" / "evaluation" / "fixtures" / "test-captions.json"
PACK = REPO / "models" / "lamina-tiny"  # only its world.json is read by the judge


def held_out(singles: int, pairs: int) -> list[tuple[int, str]]:
    """(index, caption) of the first `singles` one-object and `pairs` two-object captions."""
    caps = json.loads(CAPTIONS.read_text())
    ones = [(i, c["caption"]) for i, c in enumerate(caps) if len(c["objects"]) == 1][:singles]
    twos = [(i, c["caption"]) for i, c in enumerate(caps) if len(c["objects"]) == 2][:pairs]
    return ones + twos


PLAIN_DROP = re.compile(r" (dotted|striped|checkered|gradient)(?= background)| with the words? .*$")


def plain_caption(caption: str) -> str:
    """A held-out caption as World.simplify's scenes say it: the object on a solid background,
    no pattern, no words ("a small pink ring on a brown gradient background with the word ZEN"
    -> "a small pink ring on a brown background"): the judge of runs trained on simple scenes."""
    return PLAIN_DROP.sub("", caption)


def load_snapshot(path: Path, ck_dir: Path, world: World):
    """(recipe, codec, text, dit) from an EMA snapshot; the codec from {ckpt}/vae.pt."""
    from .train import build

    state = ck.load(path)
    recipe = config_lib.from_dict(state["recipe"])
    codec, text, dit = build(recipe, world)
    if recipe.vae.kind != "none":
        codec.load_state_dict(ck.load(ck_dir / "vae.pt")["model"])
    text.load_state_dict(state["ema_text"])
    dit.load_state_dict(state["ema_dit"])
    for m in (codec, text, dit):
        m.eval()
    return recipe, codec, text, dit, state


@torch.no_grad()
def generate(recipe, codec, text, dit, state, prompts: list[str], world: World, batch=16, steps=20, guidance=4.0,
             size=None):
    """Premultiplied RGBA [N, 4, S, S] for the prompts; batch b uses generator seed b. With
    `size` (a lower resolution the run trained at, e.g. progressive training's 64 px), sampled
    at that size and upscaled bilinearly to the native size, so the judge sees 128 px images."""
    native = recipe.train.image_size
    latent = (size or native) // recipe.vae.scale_factor
    tok = Tokenizer(world.spec)
    nid, nmask = tok([""], "cpu")
    nemb = text(nid, nmask)
    shift = config_lib.sampling_shift(recipe.train)
    out = []
    for b in range(0, len(prompts), batch):
        ids, mask = tok(prompts[b:b + batch], "cpu")
        g = torch.Generator().manual_seed(b // batch)
        z = sample(dit, text(ids, mask), mask.float(), nemb, nmask.float(), steps=steps, cfg_scale=guidance,
                   shift=shift, generator=g, latent_size=latent)
        img = codec.decode(z / state["latent_scale"] + state["latent_shift"])
        if img.shape[-1] != native:
            img = torch.nn.functional.interpolate(img, size=(native, native), mode="bilinear", align_corners=False)
        out.append(img.clamp(0, 1))
    return torch.cat(out)


def save_straight_png(path: Path, rgba: torch.Tensor):
    """Premultiplied [4, H, W] in [0, 1] -> straight-alpha RGBA PNG (what the app writes)."""
    a = rgba[3:4]
    rgb = torch.where(a > 0, rgba[:3] / a.clamp(min=1e-6), torch.zeros_like(rgba[:3])).clamp(0, 1)
    arr = (torch.cat([rgb, a]) * 255).round().byte().permute(1, 2, 0).numpy()
    Image.fromarray(arr, "RGBA").save(path)


def load_premultiplied(path: Path) -> torch.Tensor:
    """A straight-alpha PNG as premultiplied RGBA [4, H, W] in [0, 1]."""
    x = torch.from_numpy(np.array(Image.open(path).convert("RGBA"))).permute(2, 0, 1).float() / 255
    return torch.cat([x[:3] * x[3:], x[3:]])


def ts_judge(images: Path) -> dict:
    cmd = ["node", "--import", "tsx", "main/engine/evaluation/evaluate-pack.ts", "--pack", str(PACK),
           "--images", str(images)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the judge failed ({' '.join(cmd)}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def run_end(recipe, state) -> float:
    """The budget second a snapshot's run ends at: its segment's end when it trained in
    segments (`train --segment-seconds`), else the recipe's DiT budget (inf without one)."""
    seg = state.get("segment")
    if seg:
        return seg["start_elapsed"] + seg["seconds"]
    return recipe.train.dit_seconds if recipe.train.dit_seconds is not None else float("inf")


def judge_run(ck_dir: Path, singles: int, pairs: int, final_singles: int, final_pairs: int, redo=False,
              trend_every: int = 0, plain=False, size=None):
    """Judge the run's snapshots not judged yet (with `trend_every`, only those at multiples
    of that many budget seconds); returns and writes {ckpt}/calibration.json. With `plain`,
    the captions are sampled in their plain form (plain_caption; {ckpt}/calibration-plain.json)."""
    world = World.load()
    snaps = sorted((ck_dir / "snapshots").glob("t*.pt"))
    if not snaps:
        raise SystemExit(f"{ck_dir}/snapshots holds no t*.pt: train with train.snapshot_seconds > 0")
    tag = ("-plain" if plain else "") + (f"-{size}px" if size else "")
    out_path = ck_dir / f"calibration{tag}.json"
    results = json.loads(out_path.read_text()) if out_path.exists() and not redo else {}
    for snap in snaps:
        key = snap.stem
        if key in results or (trend_every and int(key[1:]) % trend_every):
            continue
        recipe, codec, text, dit, state = load_snapshot(snap, ck_dir, world)
        # the run's end (its budget spent) is judged on more captions than the trend points
        last = state["elapsed"] >= run_end(recipe, state)
        picked = held_out(final_singles, final_pairs) if last else held_out(singles, pairs)
        images = ck_dir / f"judge{tag}" / key
        images.mkdir(parents=True, exist_ok=True)
        for old in images.glob("caption-*.png"):
            old.unlink()
        rgba = generate(recipe, codec, text, dit, state, [plain_caption(c) if plain else c for _, c in picked], world,
                        size=size)
        for (i, _), img in zip(picked, rgba):
            save_straight_png(images / f"caption-{i:03d}.png", img)
        save_rgba_grid(images / "grid.png", [rgba[:16]], cols=16)
        verdict = ts_judge(images)
        tc = recipe.train
        results[key] = {"budget_seconds": round(state["elapsed"], 1), "step": state["step"],
                        "samples": state["step"] * tc.dit_batch,
                        "samples_per_budget_second": round(state["step"] * tc.dit_batch / max(1.0, state["elapsed"]), 2),
                        "captions": len(picked), "by_object_count": verdict["by_object_count"],
                        "one_object_by_shape": verdict.get("one_object_by_shape"),
                        "one_object_by_size": verdict.get("one_object_by_size"), "words": verdict.get("words")}
        print(json.dumps({key: results[key]}), flush=True)
        out_path.write_text(json.dumps(results, indent=1) + "\n")
    return results


def rejudge_run(ck_dir: Path) -> dict:
    """The TypeScript judge again on every judged snapshot's saved images (after the judge
    changed), without sampling anything; rewrites {ckpt}/calibration.json."""
    out_path = ck_dir / "calibration.json"
    results = json.loads(out_path.read_text())
    for key, r in results.items():
        verdict = ts_judge(ck_dir / "judge" / key)
        r.update({"by_object_count": verdict["by_object_count"],
                  "one_object_by_shape": verdict.get("one_object_by_shape"),
                  "one_object_by_size": verdict.get("one_object_by_size"), "words": verdict.get("words")})
        print(json.dumps({key: r}), flush=True)
    out_path.write_text(json.dumps(results, indent=1) + "\n")
    return results


SCENES = REPO / "main" / "engine" / "evaluation" / "fixtures" / "caption-scenes"


@torch.no_grad()
def codec_ceiling(ck_dir: Path, captions: int = 500) -> dict:
    """The judge on the held-out captions' true scenes after a round trip through the run's
    VAE (what `evaluate-pack --ceiling` measures on an exported pack): the most any DiT
    trained on this latent space can score. Writes {ckpt}/ceiling.json."""
    from .vae import load_codec

    state = ck.load(ck_dir / "vae.pt")
    vae = load_codec(state)
    caps = json.loads(CAPTIONS.read_text())[:captions]
    images = ck_dir / "judge" / "ceiling"
    images.mkdir(parents=True, exist_ok=True)
    for b in range(0, len(caps), 32):
        chunk = caps[b:b + 32]
        x = torch.stack([load_premultiplied(SCENES / f"scene-{c['seed']}.png") for c in chunk])
        for k, img in enumerate(vae.decode(vae.encode(x))):
            save_straight_png(images / f"caption-{b + k:03d}.png", img)
    verdict = {"vae_steps": state["step"], "vae_metrics": state.get("metrics"), **ts_judge(images)}
    (ck_dir / "ceiling.json").write_text(json.dumps(verdict, indent=1) + "\n")
    return verdict


def report(runs: list[Path], out: Path):
    """Markdown table rows (stdout), calibration.json and a grid (one row per run: its last
    snapshot's first 12 single-object captions) under `out`."""
    table, rows, merged = [], [], {}
    for run in runs:
        res = json.loads((run / "calibration.json").read_text())
        merged[run.name] = res
        for key, r in sorted(res.items()):
            one, two = r["by_object_count"].get("1_object", {}), r["by_object_count"].get("2_objects", {})
            table.append(f"| {run.name} | {key} | {r['step']} | {r['samples']} | {r['samples_per_budget_second']} | "
                         f"{one.get('shape_accuracy')} | {one.get('colour_accuracy')} | {one.get('count_accuracy')} | "
                         f"{one.get('shape_accuracy_lenient')} | {one.get('cluttered')} | "
                         f"{two.get('shape_accuracy')} | {two.get('colour_accuracy')} | "
                         f"{(r.get('words') or {}).get('word_accuracy')} | {r['captions']} |")
        last = sorted(res)[-1]
        imgs = sorted((run / "judge" / last).glob("caption-*.png"))[:12]
        rows.append(torch.stack([load_premultiplied(p) for p in imgs]))
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibration.json").write_text(json.dumps(merged, indent=1) + "\n")
    save_rgba_grid(out / "calibration-grid.png", rows, cols=12)
    print("| run | snapshot | step | samples | samples/s | 1-obj shape % | 1-obj colour % | 1-obj count % | "
          "1-obj shape % (lenient) | 1-obj cluttered % | 2-obj shape % | 2-obj colour % | words read % | captions |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(table))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    j = sub.add_parser("judge")
    j.add_argument("--ckpt", required=True)
    j.add_argument("--singles", type=int, default=48)
    j.add_argument("--pairs", type=int, default=16)
    j.add_argument("--final-singles", type=int, default=100)
    j.add_argument("--final-pairs", type=int, default=50)
    j.add_argument("--threads", type=int, default=1)
    j.add_argument("--redo", action="store_true")
    j.add_argument("--trend-every", type=int, default=0, help="judge only snapshots at multiples of this many s")
    j.add_argument("--plain", action="store_true",
                   help="sample the captions in their plain form (one object on a solid background, no words): runs on simple scenes")
    j.add_argument("--size", type=int, default=None,
                   help="sample at this resolution (one the run trained at, e.g. 64) and upscale to the native size for the judge")
    c = sub.add_parser("ceiling")
    c.add_argument("--ckpt", required=True)
    c.add_argument("--captions", type=int, default=500)
    rj = sub.add_parser("rejudge", help="the judge again on the saved images of every judged snapshot")
    rj.add_argument("--ckpt", required=True)
    r = sub.add_parser("report")
    r.add_argument("--runs", nargs="+", required=True)
    r.add_argument("--out", default=str(REPO / "docs" / "training"))
    args = ap.parse_args()
    if args.cmd == "judge":
        torch.set_num_threads(args.threads)
        judge_run(Path(args.ckpt), args.singles, args.pairs, args.final_singles, args.final_pairs, args.redo,
                  args.trend_every, args.plain, args.size)
    elif args.cmd == "rejudge":
        rejudge_run(Path(args.ckpt))
    elif args.cmd == "ceiling":
        torch.set_num_threads(1)
        print(json.dumps(codec_ceiling(Path(args.ckpt), args.captions), indent=1))
    else:
        report([Path(p) for p in args.runs], Path(args.out))


if __name__ == "__main__":
    main()

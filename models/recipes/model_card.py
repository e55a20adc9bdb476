"""Write models/lamina-tiny/MODEL_CARD.md from the checkpoint's recipe, metrics and log."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from .checkpoint import cpu_name
from .config import sampling_shift


def _log_lines(log: Path, dit_step: int | None = None) -> list[str]:
    """train.log's lines up to the one that logs DiT step `dit_step` (the exported
    checkpoint's step; later resumes did not make it). All lines when None."""
    out = []
    for line in log.read_text().splitlines():
        out.append(line)
        m = re.match(r"\S+ dit step (\d+)/", line)
        if dit_step is not None and m and int(m.group(1)) >= dit_step:
            break
    return out


def _wall_time(log: Path, dit_step: int | None = None) -> str:
    stamps = []
    for line in _log_lines(log, dit_step):
        m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d) (vae|dit) step", line)
        if m:
            stamps.append(datetime.fromisoformat(m.group(1)))
    if not stamps:
        return "unknown"
    return f"{(stamps[-1] - stamps[0]).total_seconds() / 60:.0f} min ({stamps[0]:%Y-%m-%d %H:%M} to {stamps[-1]:%H:%M} UTC)"


def _history(log: Path, dit_step: int | None = None) -> str:
    """Recipe changes across the run's resumes, from the `recipe ...: {json}` lines
    train.py logs at every start: "- 11:30, at DiT step 10500: train.flow_shift 1.0 -> 3.0"."""
    import json

    out, prev, pending, stage_step = [], None, None, "start"
    for line in _log_lines(log, dit_step):
        m = re.match(r"(\S+) recipe \S+ on \S+: (\{.*\})$", line)
        if m:
            pending = (m.group(1), json.loads(m.group(2)))
            stage_step = "start"
            continue
        r = re.match(r"\S+ (vae|dit): resumed at step (\d+)", line)
        if r and pending:
            stage_step = f"{r.group(1).upper() if r.group(1) == 'vae' else 'DiT'} step {r.group(2)}"
        if pending and (r or re.match(r"\S+ (vae|dit) step", line)):
            stamp, rec = pending
            pending = None
            if prev is not None:
                changes = [f"{sec}.{k} {prev[sec].get(k)} -> {v}" for sec in rec if isinstance(rec[sec], dict)
                           for k, v in rec[sec].items() if prev.get(sec, {}).get(k) != v]
                if changes:
                    out.append(f"- {stamp[:16].replace('T', ' ')}, from {stage_step}: {', '.join(changes)}")
            prev = rec
    return "\n".join(out) if out else "- none: one recipe from the first step to the last"


def _sampling_note(tc) -> str:
    if tc.sample_shift is None or tc.sample_shift == tc.flow_shift:
        return ""
    return (f"\nThe pack samples with shift {tc.sample_shift:g} although the last training stretch used shift "
            f"{tc.flow_shift:g}: chosen at export (`--sample-shift`) by measurement, see\n"
            "`models/recipes/README.md` (\"Why the CPU-trained pack draws blobs\").\n")


def _hardware(log: Path, dit_step: int | None = None) -> str:
    """The last `hardware:` line train.py logged (the machine the run ended on)."""
    found = None
    for line in _log_lines(log, dit_step):
        m = re.match(r"\S+ hardware: (.*)", line)
        if m:
            found = m.group(1)
    return found or f"2 shared CPU cores ({cpu_name()}), torch.set_num_threads(2)"


def _shape_note(sc: dict) -> str:
    acc, chance = sc.get("object_shape_acc"), sc.get("chance_shape_acc")
    if acc is None or chance is None:
        return "shape accuracy was not measured"
    if acc < 2 * chance:
        return (f"**shapes are at chance** (object_shape_acc {acc:.2f} vs chance {chance:.2f}): objects are "
                "colour blobs of about the right size, counts and words are mostly wrong")
    return f"shapes are learned in part (object_shape_acc {acc:.2f} vs chance {chance:.2f}); counts and words are weak"


def _decoder_finetune(vae_state: dict) -> str:
    """The decoder-only fine-tune (finetune_vae_decoder.py), when the VAE had one."""
    ft = vae_state.get("decoder_finetune")
    if not ft:
        return ""
    before = ft.get("base_metrics") or {}
    return (f"; then the decoder alone (encoder frozen) {ft['step']} x batch {ft.get('batch', 16)} ({ft.get('crop', 64)}px crops), "
            f"{ft['elapsed'] / 60:.0f} min"
            f" (before it: composite PSNR {before.get('composite_psnr_db', float('nan')):.1f} dB, alpha IoU "
            f"{before.get('alpha_iou', float('nan')):.3f})")


def write(out: Path, recipe, vae_state: dict, dit_state: dict, onnx_diffs: dict, scores: dict | None,
          ckpt: Path, bench: str | None = None, dit_file: str = "dit.pt", version: str = "0.1.0",
          vae_file: str = "vae.pt"):
    r, vm = recipe, vae_state.get("metrics", {})
    tc = r.train
    diffs = "\n".join(f"| {k} | {v:.2e} |" for k, v in onnx_diffs.items())
    sc = scores or {}
    score_rows = "\n".join(f"| {k} | {v:.3f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in sc.items())
    text = f"""# lamina-tiny — model card

A tiny layered-image generator for Lamina's pipelines, tests and demos: a word-level text
encoder, an SD3-style MMDiT and an RGBA VAE, trained from scratch on the synthetic
**Lamina world** (flat-design scenes whose layers, masks, boxes and captions are exact).
It is a *fixture-grade* model: it exercises every graph input Lamina's pipelines use
(joint attention bias, text K/V outputs and overrides) at toy quality. It is not a
general image model and knows only the world's vocabulary (`world.json`).

- Version: {version} — License: Apache-2.0 (weights and recipes); font DejaVu Sans Bold
  (Bitstream Vera licence, `assets/fonts/`) is used only to render training scenes.
- Recipe: `{r.name}` in `models/recipes/config.py`; checkpoints `{ckpt}/{vae_file}`, `{ckpt}/{dit_file}` (outside git).

## Data
Procedurally rendered {r.train.image_size}x{r.train.image_size} scenes (`models/recipes/world.py`): background (solid,
gradient, striped, dotted, checkered; optional ground/shelf lines), 1-6 objects (8
shapes x 10 colours x 3 sizes; stroke, translucency and drop shadow on the object's
layer), 0-2 words (48 words, DejaVu Sans Bold), exact z-order, boxes, masks, captions
and per-object phrases. Seeds [0, 1e9) train, [1e9, 1e9+1e4) val, [2e9, 2e9+1e4) test;
test scenes never train. Each DiT batch: {1 - tc.phrase_fraction:.0%} composites with their
global caption, {tc.phrase_fraction:.0%} single transparent object layers with their phrase
("large red star"); captions dropped to the empty prompt {tc.caption_dropout:.0%} of the time.

## Models
| Part | Config |
| --- | --- |
| RGBA VAE | f = {r.vae.scale_factor}, {r.vae.latent_channels} latent channels, channels {list(r.vae.channels)}, premultiplied RGBA, alpha path initialised opaque |
| Text encoder | {r.text.layers} layers, width {r.text.dim}, {r.text.heads} heads, vocabulary {r.text.vocab_size} words |
| MMDiT | {r.dit.blocks} joint blocks, width {r.dit.dim}, {r.dit.heads} heads, patch {r.dit.patch_size}, {r.dit.image_tokens} image tokens, adaLN-Zero, QK RMS-norm |

## Training
| | VAE | Text encoder + MMDiT |
| --- | --- | --- |
| Steps | {vae_state['step']} x batch {tc.vae_batch} ({tc.vae_crop}px crops){f", {tc.vae_seconds:.0f} s budget" if tc.vae_seconds else ""}{_decoder_finetune(vae_state)} | {dit_state['step']} of {tc.dit_steps} planned x batch {tc.dit_batch}{f", {tc.dit_seconds:.0f} s budget" if tc.dit_seconds else ""} |
| Objective | L1 + 0.5 MSE (alpha x2) + {tc.vae_kl:g} KL | rectified flow (velocity), logit-normal t, shift {tc.flow_shift}; the pack samples with shift {sampling_shift(tc)} |
| Optimiser | AdamW lr {tc.vae_lr:g}, warmup + cosine | AdamW lr {tc.dit_lr:g}, warmup {tc.warmup} + cosine, EMA {tc.ema}, grad clip {tc.grad_clip} |

Hardware: {_hardware(ckpt / 'train.log', dit_state['step'])}. Wall time (first VAE step to last DiT step,
restarts and pauses included): {_wall_time(ckpt / 'train.log', dit_state['step'])}.

Recipe changes across resumes (from `train.log`):

{_history(ckpt / 'train.log', dit_state['step'])}

## Scores
VAE on {vm.get('scenes', '?')} val scenes: composite PSNR **{vm.get('composite_psnr_db', float('nan')):.1f} dB**, layer
RGBA PSNR {vm.get('layer_rgba_psnr_db', float('nan')):.1f} dB, alpha IoU (alpha > 0.5) **{vm.get('alpha_iou', float('nan')):.3f}** over {vm.get('layers', '?')} layers.

Generation on test scenes (`python -m models.recipes.evaluate`, {sc.get('sampler_steps', '?')} Euler steps,
guidance {sc.get('guidance', '?')}):

| Score | Value |
| --- | --- |
{score_rows}

![samples](samples.png)

`samples.png` rows: true test scenes; generated from their captions; true first-object
layers; generated from their phrases (transparent, over a checkerboard).

Lamina's own judges (TypeScript, what the app ships with): colour, shape and count
accuracy on 500 held-out captions in `docs/evaluation/evaluation.json`
(`node --import tsx main/engine/evaluation/evaluate-pack.ts`), and LayerBind against
its baselines on 240 held-out layouts in `docs/layerbind/measure.md`.
{_sampling_note(tc)}

## Export
ONNX opset 17, checked against PyTorch with ONNX Runtime (CPU) on shapes other than the
export shapes:

| Graph | max abs diff |
| --- | --- |
{diffs}

{bench or ''}

## Limitations
- Undertrained: the MMDiT took {dit_state['step']:,} steps ({dit_state['step'] * tc.dit_batch:,} samples, about
  {dit_state['step'] * tc.dit_batch // max(1, tc.data_reuse):,} distinct renders with replay x{tc.data_reuse}). Colours and
  backgrounds are learned (see scores); {_shape_note(sc)}. The GPU recipe
  (`models/recipes/train_gpu.sh`) is the way to a usable fixture.
- The VAE is blurry ({vm.get('composite_psnr_db', float('nan')):.0f} dB): fine patterns and words do not survive
  encoding; every generation inherits this.
- Vocabulary is closed (world.json); unknown words map to `<unk>`.
- Native size only for the transformer ({r.train.image_size}x{r.train.image_size}); the VAE is fully convolutional.
"""
    (out / "MODEL_CARD.md").write_text(text)

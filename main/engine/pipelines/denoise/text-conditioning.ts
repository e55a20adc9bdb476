// Step "encode prompt" for the real DiT families (diffusers' encode_prompt of
// StableDiffusion3Pipeline / FluxPipeline): every text encoder of the pack runs on its own
// tokenizer's ids (padded to the tokenizer's maxLength, as diffusers pads), then the
// family composes them into the transformer's text sequence and pooled vector:
//   sd3:  [CLIP-L hidden ‖ CLIP-G hidden] (penultimate layer, concatenated on features,
//         zero-padded to the transformer's text width) followed by T5's hidden states on
//         the sequence axis; pooled = [CLIP-L pooled ‖ CLIP-G pooled];
//   flux: T5's hidden states; pooled = CLIP's pooled output.
// Both families attend to every text token (padding included): the mask is all ones.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import type { TextEncoderComponent } from '../../../../common/models/pack-manifest.ts';
import type { PackModel } from '../../runtime/pack-model.ts';
import { floatTensor, intTensor } from '../../runtime/tensors.ts';
import type { EncodedText, PackComponents } from '../pack-components.ts';

interface EncoderOutput {
  spec: TextEncoderComponent;
  /** [B, L, D] */
  hidden: Float32Array;
  length: number;
  dim: number;
  /** [B, P] */
  pooled: Float32Array | null;
  pooledDim: number;
  truncated: number[];
}

async function runEncoder(parts: PackComponents, spec: TextEncoderComponent, prompts: readonly string[]): Promise<EncoderOutput> {
  const tok = parts.hfTokenizer(spec.tokenizer);
  const enc = tok.encodeBatch(prompts);
  const te = await parts.graph(spec.graph, 'text encoding');
  const dims = [enc.batch, enc.length];
  const feeds = { [spec.io.ids]: intTensor(te.spec(spec.io.ids).dtype, enc.ids, dims) };
  if (spec.io.mask) feeds[spec.io.mask] = intTensor(te.spec(spec.io.mask).dtype, enc.mask, dims);
  const fetch = [spec.io.hidden, ...(spec.io.pooled ? [spec.io.pooled] : [])];
  const out = await te.run(feeds, { fetch });
  const hidden = out[spec.io.hidden];
  const pooled = spec.io.pooled ? out[spec.io.pooled] : null;
  return {
    spec, hidden: Float32Array.from(hidden.data as Float32Array), length: enc.length, dim: hidden.dims[2] as number,
    pooled: pooled ? Float32Array.from(pooled.data as Float32Array) : null, pooledDim: pooled ? (pooled.dims[1] as number) : 0,
    truncated: enc.truncated,
  };
}

/** Rows of `src` [B, L, D] copied into `dst` [B, Lt, Dt] at sequence offset `at` (features beyond Dt cut, missing ones left 0). */
function place(dst: Float32Array, Lt: number, Dt: number, src: Float32Array, B: number, L: number, D: number, at: number, featureAt = 0): void {
  const n = Math.min(D, Dt - featureAt);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < L; t++) {
      const s = (b * L + t) * D;
      dst.set(src.subarray(s, s + n), (b * Lt + at + t) * Dt + featureAt);
    }
  }
}

function concatPooled(outs: EncoderOutput[], B: number): { pooled: Float32Array; dim: number } {
  const dim = outs.reduce((s, o) => s + o.pooledDim, 0);
  const pooled = new Float32Array(B * dim);
  for (let b = 0; b < B; b++) {
    let at = 0;
    for (const o of outs) {
      pooled.set(o.pooled!.subarray(b * o.pooledDim, (b + 1) * o.pooledDim), b * dim + at);
      at += o.pooledDim;
    }
  }
  return { pooled, dim };
}

const isClip = (model: PackModel, e: TextEncoderComponent) => model.tokenizers[e.tokenizer]?.type === 'clip-bpe';

export async function encodeFamilyText(parts: PackComponents, prompts: readonly string[]): Promise<EncodedText> {
  const model = parts.model;
  const family = model.transformer.family;
  const B = prompts.length;
  const Dt = model.transformer.textDim;
  const outs: EncoderOutput[] = [];
  for (const spec of model.textEncoders) outs.push(await runEncoder(parts, spec, prompts));
  const clips = outs.filter((o) => isClip(model, o.spec));
  const t5 = outs.find((o) => !isClip(model, o.spec));
  const truncated = [...new Set(outs.flatMap((o) => o.truncated))].sort((a, b) => a - b);
  for (const c of clips) if (!c.pooled) throw new LaminaError('bad_pack', `model pack "${model.id}": text encoder "${c.spec.graph}" declares no pooled output, which ${family} needs`);
  let embeds: Float32Array;
  let length: number;
  if (family === 'sd3') {
    if (clips.length !== 2) throw new LaminaError('bad_pack', `model pack "${model.id}": sd3 needs two CLIP text encoders (has ${clips.length})`);
    const [l, g] = clips;
    if (l.length !== g.length) throw new LaminaError('bad_pack', `model pack "${model.id}": the two CLIP tokenizers pad to different lengths (${l.length}, ${g.length})`);
    const tLen = t5 ? t5.length : 0;
    length = l.length + tLen;
    embeds = new Float32Array(B * length * Dt);
    place(embeds, length, Dt, l.hidden, B, l.length, l.dim, 0, 0);
    if (l.dim < Dt) place(embeds, length, Dt, g.hidden, B, g.length, g.dim, 0, l.dim);
    if (t5) place(embeds, length, Dt, t5.hidden, B, t5.length, t5.dim, l.length);
  } else if (family === 'flux') {
    if (!t5 || clips.length !== 1) throw new LaminaError('bad_pack', `model pack "${model.id}": flux needs one CLIP and one T5 text encoder`);
    length = t5.length;
    embeds = new Float32Array(B * length * Dt);
    place(embeds, length, Dt, t5.hidden, B, t5.length, t5.dim, 0);
  } else {
    throw new LaminaError('bad_pack', `model pack "${model.id}": family ${family} composes no multi-encoder text`);
  }
  const { pooled, dim: pooledDim } = concatPooled(clips, B);
  return {
    batch: B, length, embeds: floatTensor(embeds, [B, length, Dt]), mask: new Float32Array(B * length).fill(1), truncated,
    pooled, pooledDim,
  };
}

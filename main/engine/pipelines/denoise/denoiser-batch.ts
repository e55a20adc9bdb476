// One kind of transformer call with a fixed batch: its feeds built once (latents,
// timestep, text, text mask, attention bias, guidance), then run once per step with the
// latents each item starts from. Input names come from the manifest's transformer io.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { imagePositionIds, packLatents, unpackLatents } from './latent-packing.ts';
import type { GraphRunner } from '../../runtime/graph-runner.ts';
import type { PackModel } from '../../runtime/pack-model.ts';
import { fillScalar, floatTensor, maskTensor, timestepTensor, type Tensor } from '../../runtime/tensors.ts';
import type { LatentGeometry } from './prepare-latents.ts';
import type { PipelineTimer } from './pipeline-timer.ts';

/** Text of a batch: hidden states [batch, textLen, dim] and the 0/1 mask of valid tokens [batch, textLen]. */
export interface BatchText {
  batch: number;
  textLen: number;
  dim: number;
  /** the hidden states as a tensor already (the text encoder's output), or their values */
  embeds: Tensor | Float32Array;
  mask: Float32Array;
  /** additive joint-attention bias [batch, 1, joint, joint], when the pipeline uses one */
  bias?: Float32Array;
  /** pooled text [batch, pooledDim] (SD3, FLUX) */
  pooled?: Float32Array;
  pooledDim?: number;
}

export class DenoiserBatch {
  readonly batch: number;
  readonly feeds: Record<string, Tensor>;
  readonly bindings: Record<string, number>;
  private readonly latentIn: Tensor;
  private readonly timestepIn: Tensor;
  private readonly output: string;
  /** FLUX: the transformer takes packed latents (./latent-packing.ts) */
  private readonly packed: boolean;

  constructor(
    private readonly transformer: GraphRunner,
    model: PackModel,
    private readonly geometry: LatentGeometry,
    text: BatchText,
    /** FLUX-style guidance embedding value (only for transformers that take one) */
    embeddedGuidance?: number,
  ) {
    const io = model.transformer.io;
    const B = (this.batch = text.batch);
    this.output = io.output;
    const { channels, lh, lw, size, imageTokens } = geometry;
    const jLen = text.textLen + imageTokens;
    this.packed = model.transformer.family === 'flux';
    this.latentIn = this.packed
      ? floatTensor(new Float32Array(B * size), [B, (lh >> 1) * (lw >> 1), 4 * channels])
      : floatTensor(new Float32Array(B * size), [B, channels, lh, lw]);
    this.timestepIn = timestepTensor(transformer.spec(io.timestep).dtype, B);
    this.feeds = {
      [io.latent]: this.latentIn,
      [io.timestep]: this.timestepIn,
      [io.text]: text.embeds instanceof Float32Array ? floatTensor(text.embeds, [B, text.textLen, text.dim]) : text.embeds,
    };
    if (io.textMask) this.feeds[io.textMask] = maskTensor(transformer.spec(io.textMask).dtype, text.mask, [B, text.textLen]);
    if (text.bias && io.attentionBias) this.feeds[io.attentionBias] = floatTensor(text.bias, [B, 1, jLen, jLen]);
    if (io.pooledText) {
      if (!text.pooled || !text.pooledDim) throw new LaminaError('bad_pack', `model pack "${model.id}": its transformer takes pooled text, which its text encoders do not give`);
      this.feeds[io.pooledText] = floatTensor(text.pooled, [B, text.pooledDim]);
    }
    if (io.imageIds) this.feeds[io.imageIds] = floatTensor(imagePositionIds(lh, lw), [(lh >> 1) * (lw >> 1), 3]);
    if (io.textIds) this.feeds[io.textIds] = floatTensor(new Float32Array(text.textLen * 3), [text.textLen, 3]);
    if (embeddedGuidance !== undefined && io.guidance) this.feeds[io.guidance] = floatTensor(new Float32Array(B).fill(embeddedGuidance), [B]);
    this.bindings = { batch: B, text_len: text.textLen, joint_len: jLen, latent_height: lh, latent_width: lw, image_tokens: imageTokens };
  }

  /** One network call: item b starts from latentOf(b); returns the raw output [batch, ...latent]. */
  async run(latentOf: (b: number) => Float32Array, timestep: number, timer: PipelineTimer): Promise<Float32Array> {
    return (await this.runWith(latentOf, timestep, timer)).velocity;
  }

  /** run() with extra feeds (e.g. text K/V overrides) and extra outputs fetched (e.g. the text K/V). */
  async runWith(
    latentOf: (b: number) => Float32Array, timestep: number, timer: PipelineTimer, extraFeeds: Record<string, Tensor> = {}, fetch: readonly string[] = [],
  ): Promise<{ velocity: Float32Array; outputs: Record<string, Tensor> }> {
    const lat = this.latentIn.data as Float32Array;
    const { channels, lh, lw, size } = this.geometry;
    for (let b = 0; b < this.batch; b++) {
      if (this.packed) packLatents(latentOf(b), 1, channels, lh, lw, lat.subarray(b * size, (b + 1) * size));
      else lat.set(latentOf(b), b * size);
    }
    fillScalar(this.timestepIn, timestep);
    const out = this.output;
    const feeds = fetch.length || Object.keys(extraFeeds).length ? { ...this.feeds, ...extraFeeds } : this.feeds;
    const outputs = await timer.network(this.batch, () => this.transformer.run(feeds, { bindings: this.bindings, fetch: [out, ...fetch] }));
    const v = outputs[out].data as Float32Array;
    return { velocity: this.packed ? unpackLatents(v, this.batch, channels, lh, lw) : v, outputs };
  }
}

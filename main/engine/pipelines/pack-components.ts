// The shared parts of every diffusion pipeline on a pack: tokenizer, text encoder,
// transformer call, VAE decode (latent -> RGBA) and encode (RGBA -> latent, for img2img
// and decomposition). Sessions come from a SessionPool and go back to it in release().
import sharp from 'sharp';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { encodePng } from '../imaging/image-codec.ts';
import { fitWithin, resample } from '../imaging/resample.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import type { Upscale } from '../../../common/contract/generation-spec.ts';
import type { Device } from '../runtime/execution-providers.ts';
import { GraphRunner } from '../runtime/graph-runner.ts';
import { readPackModel, requireGraph, wordTokenizerFile, type PackModel } from '../runtime/pack-model.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { sharedSessionPool, type PooledSession, type SessionPool } from '../runtime/session-pool.ts';
import { intTensor, type Tensor } from '../runtime/tensors.ts';
import { WordTokenizer } from '../text/tokenizer.ts';
import { HfTokenizer } from '../text/hf-tokenizer.ts';
import { join } from 'node:path';
import { encodeFamilyText } from './denoise/text-conditioning.ts';
import { adapterKey, resolveAdapters } from './denoise/adapters.ts';
import { mergedGraphBytes, type AdapterMerge } from '../runtime/lora-merge.ts';
import type { AdapterUse } from '../../../common/contract/generation-spec.ts';

export interface EncodedText {
  batch: number;
  length: number;
  /** [batch, length, dim] */
  embeds: Tensor;
  /** [batch, length], 1 = token */
  mask: Float32Array;
  truncated: number[];
  /** pooled text [batch, pooledDim] (SD3, FLUX: from the CLIP encoders) */
  pooled?: Float32Array;
  pooledDim?: number;
}

const tokenizers = new Map<string, WordTokenizer>();
const hfTokenizers = new Map<string, HfTokenizer>();

const transparentLatents = new Map<string, Float32Array>();

export class PackComponents {
  readonly model: PackModel;
  private readonly held: { name: string; session: PooledSession }[] = [];
  private readonly runners = new Map<string, Promise<GraphRunner>>();

  constructor(
    readonly pack: Pack,
    readonly pool: SessionPool = sharedSessionPool(),
    readonly device: Device = 'auto',
  ) {
    this.model = readPackModel(pack);
  }

  tokenizer(): WordTokenizer {
    const path = wordTokenizerFile(this.model);
    let t = tokenizers.get(path);
    if (!t) tokenizers.set(path, (t = WordTokenizer.fromFile(path)));
    return t;
  }

  /** The Hugging Face tokenizer `name` of the pack (clip-bpe, t5-unigram). */
  hfTokenizer(name: string): HfTokenizer {
    const t = this.model.tokenizers[name];
    if (!t || t.type === 'word') throw new LaminaError('bad_pack', `model pack "${this.model.id}": tokenizer "${name}" is not a Hugging Face tokenizer`);
    const path = join(this.model.dir, t.file);
    const key = `${path}\u0000${t.maxLength}`;
    let h = hfTokenizers.get(key);
    if (!h) hfTokenizers.set(key, (h = HfTokenizer.fromFiles(path, t.config ? join(this.model.dir, t.config) : undefined, t.maxLength, `${this.model.id}/${name}`)));
    return h;
  }

  /** Whether the pack's text goes through its own word tokenizer (Lamina world packs), which can reject words. */
  get usesWordTokenizer(): boolean {
    return this.model.tokenizers[this.model.textEncoders[0].tokenizer]?.type === 'word';
  }

  /** The longest prompt in tokens a text encoder of the pack takes. */
  get maxTokens(): number {
    return Math.max(...this.model.textEncoders.map((t) => this.model.tokenizers[t.tokenizer]?.maxLength ?? 0));
  }

  /** Applies the pack's LoRA adapters at these strengths to the graphs loaded from here on
   * (GenerationSpec.adapters; ./denoise/adapters.ts); strength 0 leaves the graph as it is. */
  useAdapters(uses: readonly AdapterUse[] | undefined): void {
    this.adapters = resolveAdapters(this.model, uses ?? []);
  }

  private adapters: AdapterMerge[] = [];

  /** The runner for graph `name` (session checked out of the pool until releaseGraph(name) or release()). */
  graph(name: string, forWhat = 'this pipeline'): Promise<GraphRunner> {
    let r = this.runners.get(name);
    if (!r) {
      const g = requireGraph(this.model, name, forWhat);
      const label = `${this.model.id}/${name}`;
      const merges = this.adapters.filter((a) => a.component.graph === name);
      const variant = merges.length ? { key: adapterKey(merges), model: () => mergedGraphBytes(g.path, merges, label) } : undefined;
      r = this.pool.acquire({ path: g.path, bytes: g.bytes > 0 ? g.bytes : undefined, label: variant ? `${label}+${variant.key}` : label, variant }, this.device).then((s) => {
        this.held.push({ name, session: s });
        return new GraphRunner(label, s, g);
      });
      this.runners.set(name, r);
      r.catch(() => this.runners.delete(name));
    }
    return r;
  }

  /** Loads the pack's text encoders (one session each). */
  async loadTextEncoders(forWhat: string): Promise<void> {
    await Promise.all(this.model.textEncoders.map((t) => this.graph(t.graph, forWhat)));
  }

  /** Gives the text encoders back to the pool once the prompts are encoded: when its budget
   * cannot also hold the transformer, the pool closes them before creating it. */
  releaseTextEncoders(): void {
    for (const t of this.model.textEncoders) this.releaseGraph(t.graph);
  }

  /** Gives graph `name`'s session back to the pool (it stays cached there while the budget allows). */
  releaseGraph(name: string): void {
    for (let i = this.held.length - 1; i >= 0; i--) {
      if (this.held[i].name !== name) continue;
      this.pool.release(this.held[i].session);
      this.held.splice(i, 1);
    }
    this.runners.delete(name);
  }

  /** Gives every checked-out session back to the pool (they stay cached there). */
  release(): void {
    for (const h of this.held.splice(0)) this.pool.release(h.session);
    this.runners.clear();
  }

  /** The pack's latent codec (a VAE of some kind); pixel-space packs (codec "none") are not supported yet. */
  private latentCodec(forWhat: string): Exclude<PackModel['codec'], { kind: 'none' }> {
    const codec = this.model.codec;
    if (codec.kind === 'none') throw new LaminaError('unsupported', `model pack "${this.model.id}" works in pixel space (image codec "none"), which ${forWhat} does not support in this version of Lamina`);
    return codec;
  }

  /** Tokenizes and encodes prompts as one batch (padded to the longest or the graph's fixed length). */
  async encodePrompts(prompts: readonly string[]): Promise<EncodedText> {
    if (!this.usesWordTokenizer) return encodeFamilyText(this, prompts);
    const spec = this.model.textEncoders[0];
    if (this.model.textEncoders.length > 1) throw new LaminaError('unsupported', `model pack "${this.model.id}": ${this.model.textEncoders.length} text encoders are not supported by this version of Lamina (one)`);
    const te = await this.graph(spec.graph, 'text encoding');
    const idsName = spec.io.ids;
    const maskName = spec.io.mask;
    const fixedLen = te.spec(idsName).dims[1];
    const enc = this.tokenizer().encodeBatch(prompts, typeof fixedLen === 'number' && fixedLen > 0 ? fixedLen : undefined);
    const dims = [enc.batch, enc.length];
    const feeds: Record<string, Tensor> = { [idsName]: intTensor(te.spec(idsName).dtype, enc.ids, dims) };
    if (maskName) feeds[maskName] = intTensor(te.spec(maskName).dtype, enc.mask, dims);
    const outName = spec.io.hidden;
    const out = await te.run(feeds, { fetch: [outName] });
    return { batch: enc.batch, length: enc.length, embeds: out[outName], mask: Float32Array.from(enc.mask), truncated: enc.truncated };
  }

  /** Normalized transformer latents -> premultiplied RGBA float [B, 4, H, W] in [0, 1] and its size. */
  async decodeLatents(latents: Float32Array, batch: number, lh: number, lw: number): Promise<{ rgba: Float32Array; width: number; height: number; channels: number }> {
    const codec = this.latentCodec('decoding latents');
    const dec = await this.graph(codec.decoder, 'decoding latents');
    const inName = codec.io.decoderLatent;
    const { scalingFactor, shiftFactor } = this.model.latent;
    const t = dec.buffers.tensor(inName, 'float32', [batch, this.model.latent.channels, lh, lw]);
    const z = t.data as Float32Array;
    for (let i = 0; i < z.length; i++) z[i] = latents[i] / scalingFactor + shiftFactor;
    const outName = codec.io.decoderImage;
    const out = (await dec.run({ [inName]: t }, { fetch: [outName] }))[outName];
    const [, c, h, w] = out.dims as number[];
    return { rgba: out.data as Float32Array, width: w, height: h, channels: c };
  }

  /** Decoded [B, C, H, W] float -> straight-alpha 8-bit RGBA images, one per batch item. */
  toImages(decoded: { rgba: Float32Array; width: number; height: number; channels: number }, batch: number): RgbaImage[] {
    const { width: w, height: h, channels: c, rgba } = decoded;
    const [lo, hi] = this.model.image.range;
    const premul = this.model.image.premultiplied && c === 4;
    const plane = w * h;
    const out: RgbaImage[] = [];
    for (let b = 0; b < batch; b++) {
      const data = new Uint8Array(plane * 4);
      const base = b * c * plane;
      for (let p = 0; p < plane; p++) {
        const norm = (ch: number) => Math.min(1, Math.max(0, (rgba[base + ch * plane + p] - lo) / (hi - lo)));
        const a = c === 4 ? norm(3) : 1;
        for (let ch = 0; ch < 3; ch++) {
          let v = c >= 3 ? norm(ch) : norm(0);
          if (premul) v = a > 0 ? Math.min(1, v / a) : 0;
          data[p * 4 + ch] = Math.round(v * 255);
        }
        data[p * 4 + 3] = Math.round(a * 255);
      }
      out.push({ width: w, height: h, data });
    }
    return out;
  }

  /** One normalized latent [1, C, lh, lw] -> its image at the pack's native size. */
  private async decodeOne(latent: Float32Array, lh: number, lw: number): Promise<RgbaImage> {
    return this.toImages(await this.decodeLatents(latent, 1, lh, lw), 1)[0];
  }

  /** Decodes one latent to RGBA and, when the canvas differs from the pack's native size,
   * resamples it ('fill' for the same aspect ratio, otherwise 'cover': scale and centre-crop). */
  async decodeToCanvas(latent: Float32Array, lh: number, lw: number, width: number, height: number, kernel: Upscale = 'lanczos'): Promise<{
    image: RgbaImage; native: { width: number; height: number }; resampled: 'fill' | 'cover' | null; decodeMs: number;
  }> {
    const t0 = performance.now();
    const image = await this.decodeOne(latent, lh, lw);
    const decodeMs = performance.now() - t0;
    const native = { width: image.width, height: image.height };
    if (image.width === width && image.height === height) return { image, native, resampled: null, decodeMs };
    const fit = Math.abs(image.width / image.height - width / height) < 1e-6 ? 'fill' : 'cover';
    return { image: await resample(image, width, height, fit, kernel), native, resampled: fit, decodeMs };
  }

  /** A small PNG (base64) of one latent, for progress previews. */
  async previewPng(latent: Float32Array, lh: number, lw: number, maxSide: number): Promise<string> {
    const img = await this.decodeOne(latent, lh, lw);
    return Buffer.from(await encodePng(await fitWithin(img, maxSide))).toString('base64');
  }

  /** The normalized latent of a fully transparent native-size image (what ART puts outside
   * every box), encoded once per encoder file (keyed by its sha256) and then reused. */
  async transparentLatent(): Promise<Float32Array> {
    const codec = this.latentCodec('the transparent latent');
    const graph = codec.encoder ? this.model.graphs[codec.encoder] : undefined;
    const files = (this.pack.manifest as { files?: Record<string, { sha256?: string }> }).files ?? {};
    const key = `${this.pack.dir}|${graph?.file ?? ''}|${graph ? files[graph.file]?.sha256 ?? '' : ''}`;
    let hit = transparentLatents.get(key);
    if (!hit) {
      const { width, height } = this.model.native;
      hit = (await this.encodeImage({ width, height, data: new Uint8Array(width * height * 4) })).latent;
      transparentLatents.set(key, hit);
    }
    return hit;
  }

  /**
   * Image -> normalized latent (for img2img and decomposition): resized to the pack's
   * native size, premultiplied, VAE-encoded (posterior mean), then (z - shift) * scale.
   */
  async encodeImage(img: RgbaImage): Promise<{ latent: Float32Array; dims: number[] }> {
    const codec = this.latentCodec('image -> latent encoding');
    if (!codec.encoder || !codec.io.encoderImage || !codec.io.encoderLatent) throw new LaminaError('bad_pack', `model pack "${this.model.id}" declares no image encoder, which image -> latent encoding needs`);
    const enc = await this.graph(codec.encoder, 'image -> latent encoding');
    const { width, height } = this.model.native;
    let src = img;
    if (img.width !== width || img.height !== height) {
      const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } }).resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      src = { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    }
    const inName = codec.io.encoderImage;
    const c = this.model.image.channels;
    const [lo, hi] = this.model.image.range;
    const plane = width * height;
    const t = enc.buffers.tensor(inName, 'float32', [1, c, height, width]);
    const x = t.data as Float32Array;
    for (let p = 0; p < plane; p++) {
      const a = src.data[p * 4 + 3] / 255;
      for (let ch = 0; ch < Math.min(c, 3); ch++) {
        const v = src.data[p * 4 + ch] / 255;
        x[ch * plane + p] = lo + (this.model.image.premultiplied ? v * a : v) * (hi - lo);
      }
      if (c === 4) x[3 * plane + p] = lo + a * (hi - lo);
    }
    const outName = codec.io.encoderLatent;
    const out = (await enc.run({ [inName]: t }, { fetch: [outName] }))[outName];
    const dims = [...(out.dims as number[])];
    const channels = this.model.latent.channels;
    if (dims[1] !== channels) {
      // an encoder that returns [mean; logvar] stacked on channels: keep the mean
      if (dims[1] !== 2 * channels) throw new LaminaError('bad_pack', `${enc.name}: latent has ${dims[1]} channels, manifest says ${channels}`);
    }
    const { scalingFactor, shiftFactor } = this.model.latent;
    const n = channels * dims[2] * dims[3];
    const latent = new Float32Array(n);
    const data = out.data as Float32Array;
    for (let i = 0; i < n; i++) latent[i] = (data[i] - shiftFactor) * scalingFactor;
    return { latent, dims: [1, channels, dims[2], dims[3]] };
  }
}

// Model pack manifest (format 2): what a pack folder declares, in the spirit of diffusers'
// model_index.json: its components (tokenizers, text encoders, the transformer, the image
// codec, auxiliary networks), each with the config pipelines need. Pipelines read every
// size, factor and default from here; nothing assumes the tiny pack. Format 1 manifests
// (models/recipes/export_onnx.py) are migrated on reading (./pack-manifest-migrate.ts).
import { z } from 'zod';

export const PACK_FORMAT = 'lamina-model-pack';
export const PACK_FORMAT_VERSION = 2;

export const TensorSpec = z.object({
  name: z.string(),
  dtype: z.string(),
  /** numbers for fixed dims, strings for symbolic (dynamic) dims */
  dims: z.array(z.union([z.number().int(), z.string()])),
  description: z.string().optional(),
});
export type TensorSpec = z.infer<typeof TensorSpec>;

export const GraphSpec = z.object({
  file: z.string(),
  inputs: z.array(TensorSpec),
  outputs: z.array(TensorSpec),
}).passthrough();
export type GraphSpec = z.infer<typeof GraphSpec>;

export const FileEntry = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });

const Size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });
const GraphName = z.string().min(1);
const IoName = z.string().min(1);

/** Tokenizers: Lamina's world words, CLIP byte-level BPE (SD3, FLUX), T5 unigram (SD3, FLUX). */
export const TokenizerComponent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('word'), file: z.string().min(1), maxLength: z.number().int().positive() }),
  /** Hugging Face tokenizers: `file` is tokenizer.json, `config` tokenizer_config.json (pad / eos tokens); prompts are padded to maxLength */
  z.object({ type: z.literal('clip-bpe'), file: z.string().min(1), config: z.string().min(1).optional(), maxLength: z.number().int().positive(), pad: z.literal('max_length').default('max_length') }),
  z.object({ type: z.literal('t5-unigram'), file: z.string().min(1), config: z.string().min(1).optional(), maxLength: z.number().int().positive(), pad: z.literal('max_length').default('max_length') }),
]);
export type TokenizerComponent = z.infer<typeof TokenizerComponent>;

/** A text encoder graph: its tokenizer, the token inputs it takes, its hidden states and optional pooled output. */
export const TextEncoderComponent = z.object({
  graph: GraphName,
  tokenizer: z.string().min(1),
  io: z.object({ ids: IoName, mask: IoName.optional(), hidden: IoName, pooled: IoName.optional() }),
  hiddenSize: z.number().int().positive(),
  pooledSize: z.number().int().positive().optional(),
});
export type TextEncoderComponent = z.infer<typeof TextEncoderComponent>;

export const TRANSFORMER_FAMILIES = ['lamina-mmdit', 'sd3', 'flux'] as const;

/** The denoiser: family, geometry, and the inputs it takes by role (optional ones may be absent). */
export const TransformerComponent = z.object({
  graph: GraphName,
  family: z.enum(TRANSFORMER_FAMILIES),
  patchSize: z.number().int().positive(),
  /** image tokens the graph was exported for; null when it takes any latent size */
  imageTokens: z.number().int().positive().nullable(),
  blockCount: z.number().int().positive(),
  /** FLUX: single-stream blocks after the blockCount double-stream (joint) blocks */
  singleBlockCount: z.number().int().nonnegative().optional(),
  textDim: z.number().int().positive(),
  prediction: z.enum(['velocity']),
  io: z.object({
    latent: IoName,
    timestep: IoName,
    text: IoName,
    output: IoName,
    textMask: IoName.optional(),
    pooledText: IoName.optional(),
    /** FLUX-style guidance embedding (then guidance is not a CFG batch) */
    guidance: IoName.optional(),
    /** FLUX position ids: image tokens [image_tokens, 3] (0, row, column) and text tokens [text_len, 3] (zeros) */
    imageIds: IoName.optional(),
    textIds: IoName.optional(),
    /** additive bias over the joint [text; image] sequence (LayerBind) */
    attentionBias: IoName.optional(),
    /** per-block text K/V outputs and override inputs (activation patching) */
    textKv: z.object({ k: IoName, v: IoName, kOverride: IoName, vOverride: IoName, mix: IoName }).optional(),
    /** LoRA inputs on the localized block (text edits) */
    lora: z.array(IoName).optional(),
    /** ART (region-cropped multi-layer sequences): each token's layer, its position on the
     * native token grid (ty * grid + tx), and the 0/1 mask of real (non-padding) tokens */
    layerIds: IoName.optional(),
    gatherIndices: IoName.optional(),
    tokenMask: IoName.optional(),
    /** LayerDecomp: the image condition channels (image latent + object mask on the latent grid) */
    imageCond: IoName.optional(),
  }),
  /** the joint blocks a text edit patches by default (0-based; none = every block) */
  textEditBlocks: z.array(z.number().int().nonnegative()).optional(),
  /** value the graph adds to masked attention logits */
  attentionMaskValue: z.number().optional(),
  /** attention layers the joint bias is added in (the converter counts them in the graph: every joint and single block) */
  attentionBiasLayers: z.number().int().positive().optional(),
  /** SD3.5 Medium (MMDiT-X): image-only second attentions (`attn2`) that add the image-image part of the bias */
  imageAttentionBiasLayers: z.number().int().positive().optional(),
});
export type TransformerComponent = z.infer<typeof TransformerComponent>;

const PixelFormat = z.object({
  /** channels of the codec's image side: 3 RGB, 4 RGBA */
  channels: z.union([z.literal(3), z.literal(4)]),
  range: z.tuple([z.number(), z.number()]),
  premultiplied: z.boolean(),
});
const LatentFormat = {
  encoder: GraphName.optional(),
  decoder: GraphName,
  /** spatial downscale between pixels and latents */
  scaleFactor: z.number().int().positive(),
  latentChannels: z.number().int().positive(),
  /** transformer latents = (codec latent - shiftFactor) * scalingFactor */
  scalingFactor: z.number(),
  shiftFactor: z.number(),
  io: z.object({ encoderImage: IoName.optional(), encoderLatent: IoName.optional(), decoderLatent: IoName, decoderImage: IoName }),
  image: PixelFormat,
};

/** How pixels become the transformer's space and back. `none`: the transformer works on pixels. */
export const ImageCodecComponent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rgb-vae'), ...LatentFormat }),
  z.object({ kind: z.literal('rgba-vae'), ...LatentFormat }),
  /** an RGB VAE's latent plus a decoder that adds alpha (LayerDiffuse-style) */
  z.object({ kind: z.literal('transparent-decoder'), ...LatentFormat, transparentDecoder: GraphName }),
  z.object({ kind: z.literal('none'), image: PixelFormat }),
]);
export type ImageCodecComponent = z.infer<typeof ImageCodecComponent>;

export const SchedulerComponent = z.object({
  type: z.literal('flow-match-euler'),
  shift: z.number().positive(),
  /** 'linspace': sigma_i = shift(1 - i/steps); 'diffusers': FlowMatchEulerDiscreteScheduler's default */
  spacing: z.enum(['linspace', 'diffusers']),
  numTrainTimesteps: z.number().int().positive(),
  /** the transformer's timestep input = sigma * timestepScale */
  timestepScale: z.number().positive(),
  /** FLUX-style resolution-dependent shift (mu from the image token count); null = static shift */
  dynamicShift: z.object({ baseSeqLen: z.number(), maxSeqLen: z.number(), baseShift: z.number(), maxShift: z.number() }).nullable(),
  defaultSteps: z.number().int().positive(),
  defaultGuidance: z.number().min(0),
  /** 'cfg': cond + uncond as a batch; 'embedded': the transformer takes guidance as an input */
  guidance: z.enum(['cfg', 'embedded']),
  /** the unconditional prompt for CFG */
  uncondPrompt: z.string(),
});
export type SchedulerComponent = z.infer<typeof SchedulerComponent>;

/** ART: the transformer takes a region-cropped multi-layer token sequence (layer 0 the
 * composite and 1 the background on the full token grid, layer 2 + k the tokens inside box k). */
export const ArtComponent = z.object({
  maxBoxes: z.number().int().positive(),
  trainedBoxes: z.number().int().positive(),
});
export type ArtComponent = z.infer<typeof ArtComponent>;

/** LayerDecomp: the transformer's latent holds [background; RGBA foreground] (2 x the
 * codec's channels), conditioned on [image latent; object mask max-pooled to the grid]. */
export const DecomposeComponent = z.object({
  targets: z.tuple([z.literal('background'), z.literal('foreground')]),
});
export type DecomposeComponent = z.infer<typeof DecomposeComponent>;

export const AuxiliaryComponent = z.object({ graph: GraphName, role: z.string().min(1) });

/** One weight a LoRA adapter changes: the adapter file holds `${module}.lora_A` [rank, in]
 * and `${module}.lora_B` [out, rank]; the graph's initializer `initializer` holds the base
 * weight, as W^T [in, out] (layout 'in_out': a MatMul's right operand, what the torch
 * exporter writes for a Linear) or W [out, in] ('out_in': Gemm with transB). */
export const LoraTarget = z.object({
  module: z.string().min(1),
  initializer: z.string().min(1),
  layout: z.enum(['in_out', 'out_in']),
  in: z.number().int().positive(),
  out: z.number().int().positive(),
});
export type LoraTarget = z.infer<typeof LoraTarget>;

/** A LoRA adapter shipped in the pack (a safetensors file listed in `files`), merged into
 * `graph`'s weights at run time: W' = W + strength * (alpha / rank) * B A (docs/lora.md). */
export const AdapterComponent = z.object({
  kind: z.literal('lora'),
  file: z.string().min(1),
  /** the graph whose initializers it changes (the transformer) */
  graph: GraphName,
  rank: z.number().int().positive(),
  alpha: z.number().positive(),
  defaultStrength: z.number().min(0).max(2),
  /** the joint blocks it was trained on (0-based) */
  blocks: z.array(z.number().int().nonnegative()),
  targets: z.array(LoraTarget).min(1),
  description: z.string().optional(),
});
export type AdapterComponent = z.infer<typeof AdapterComponent>;

export const PackComponentsSpec = z.object({
  tokenizers: z.record(z.string(), TokenizerComponent),
  /** 1 to 3 text encoders, concatenated in this order (SD3: CLIP-L, CLIP-G, T5) */
  textEncoders: z.array(TextEncoderComponent).min(1).max(3),
  transformer: TransformerComponent,
  imageCodec: ImageCodecComponent,
  scheduler: SchedulerComponent,
  auxiliary: z.record(z.string(), AuxiliaryComponent).default({}),
  /** an ART transformer (pipeline "art"): how many boxes it takes and was trained with */
  art: ArtComponent.optional(),
  /** a decomposition transformer (pipeline "decompose"): it denoises [background; foreground] latents */
  decompose: DecomposeComponent.optional(),
  /** LoRA adapters by id, applied at run time with a strength (GenerationSpec.adapters) */
  adapters: z.record(z.string().min(1), AdapterComponent).default({}),
});
export type PackComponentsSpec = z.infer<typeof PackComponentsSpec>;

/** Fields every manifest has, whatever its components. */
const manifestBase = {
  format: z.literal(PACK_FORMAT),
  formatVersion: z.literal(PACK_FORMAT_VERSION),
  id: z.string().min(1),
  version: z.string(),
  license: z.string().optional(),
  description: z.string().optional(),
  /** task names this pack supports, e.g. "text-to-image" */
  pipelines: z.array(z.string()),
  /** the size the transformer was trained at; with `resolution.fixed` the only size it takes */
  native: Size,
  resolution: z.object({ fixed: z.boolean(), multipleOf: z.number().int().positive() }),
  graphs: z.record(z.string(), GraphSpec),
  /** every file of the pack (relative path -> checksum); verified before loading */
  files: z.record(z.string(), FileEntry),
  /** free-form notes (training record, metrics); never read by pipelines */
  about: z.record(z.string(), z.unknown()).default({}),
};

export const PackManifest = z.object({
  ...manifestBase,
  components: PackComponentsSpec,
}).superRefine((m, ctx) => {
  const graphNames = new Set(Object.keys(m.graphs));
  const need = (name: string | undefined, path: (string | number)[]) => {
    if (name !== undefined && !graphNames.has(name)) ctx.addIssue({ code: 'custom', path, message: `graph "${name}" is not in graphs` });
  };
  const c = m.components;
  c.textEncoders.forEach((te, i) => {
    need(te.graph, ['components', 'textEncoders', i, 'graph']);
    if (!(te.tokenizer in c.tokenizers)) ctx.addIssue({ code: 'custom', path: ['components', 'textEncoders', i, 'tokenizer'], message: `tokenizer "${te.tokenizer}" is not in components.tokenizers` });
  });
  need(c.transformer.graph, ['components', 'transformer', 'graph']);
  if (c.imageCodec.kind !== 'none') {
    need(c.imageCodec.decoder, ['components', 'imageCodec', 'decoder']);
    need(c.imageCodec.encoder, ['components', 'imageCodec', 'encoder']);
  }
  for (const [k, a] of Object.entries(c.auxiliary)) need(a.graph, ['components', 'auxiliary', k, 'graph']);
  for (const [k, a] of Object.entries(c.adapters)) {
    need(a.graph, ['components', 'adapters', k, 'graph']);
    if (!(a.file in m.files)) ctx.addIssue({ code: 'custom', path: ['components', 'adapters', k, 'file'], message: `adapter file "${a.file}" is not in files (every pack file is listed with its sha256)` });
  }
});
export type PackManifest = z.infer<typeof PackManifest>;
export type PackManifestInput = z.input<typeof PackManifest>;

/** A placement network (TopNet, issue 14): background + object -> logits over (scale, y, x).
 * Heatmap cell (i, j) is the bottom-centre of the placed object's alpha box at
 * ((j + 0.5) / width, (i + 0.5) / height) of the background; scale bin s multiplies the
 * object's current size by `scales[s]`. */
export const PlacementComponent = z.object({
  graph: GraphName,
  io: z.object({ background: IoName, object: IoName, objectSize: IoName, logits: IoName }),
  /** the background input's size (any background is resized to it) */
  background: Size,
  /** the object canvas: the object's alpha box (alpha >= alphaBox) fitted at the bottom centre, aspect kept */
  object: Size.extend({ alphaBox: z.number().min(0).max(1) }),
  heatmap: Size,
  scales: z.array(z.number().positive()).min(1),
  anchor: z.literal('bottom-centre'),
  /** a per-candidate discriminator graph (sliding-window baseline, used by the bench) */
  discriminator: GraphName.optional(),
});
export type PlacementComponent = z.infer<typeof PlacementComponent>;

/** A pack whose only component is a placement network (e.g. models/lamina-place). */
export const PlacementPackManifest = z.object({
  ...manifestBase,
  components: z.object({ placement: PlacementComponent }).strict(),
}).superRefine((m, ctx) => {
  const p = m.components.placement;
  for (const [key, name] of [['graph', p.graph], ['discriminator', p.discriminator]] as const) {
    if (name !== undefined && !(name in m.graphs)) ctx.addIssue({ code: 'custom', path: ['components', 'placement', key], message: `graph "${name}" is not in graphs` });
  }
});
export type PlacementPackManifest = z.infer<typeof PlacementPackManifest>;

/** Any format 2 manifest this Lamina reads. */
export type AnyPackManifest = PackManifest | PlacementPackManifest;

/** Which schema a (format 2) manifest is checked against: by its components. */
export function manifestSchemaFor(raw: unknown): typeof PackManifest | typeof PlacementPackManifest {
  const c = (raw as { components?: unknown } | null)?.components;
  return c && typeof c === 'object' && 'placement' in c ? PlacementPackManifest : PackManifest;
}

export function isPlacementManifest(m: AnyPackManifest): m is PlacementPackManifest {
  return 'placement' in m.components;
}

// Format 1 -> format 2 pack manifests. Format 1 (what models/recipes/export_onnx.py writes:
// `format_version: 1`, snake_case sections `native_size`, `latent`, `image`, `transformer`,
// `scheduler`, `tokenizer`) described one Lamina MMDiT + RGBA VAE pack; its conventions
// are written down here once, as format 1 defined them, and become explicit fields:
//   - sampler: flow-match Euler over sigma_i = shift(1 - i/steps) ('linspace'), the
//     transformer's timestep input is sigma itself (timestep scale 1), no dynamic shift;
//   - CFG as a batch against the empty prompt; one word tokenizer + one text encoder;
//   - graph inputs and outputs by role, found among the names format 1 exporters used.
// A format 1 manifest that lacks a field its pack needs fails here, naming the field.
import { quoted } from '../errors/lamina-error.ts';
import { PACK_FORMAT, PACK_FORMAT_VERSION, type GraphSpec, type PackManifestInput } from './pack-manifest.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export class ManifestMigrationError extends Error {}

/** The manifest in format 2 (unchanged when it already is); format 1 is migrated. */
export function migratePackManifest(raw: unknown): unknown {
  const m = obj(raw);
  if (m.formatVersion === PACK_FORMAT_VERSION) return raw;
  const v = m.format_version ?? m.formatVersion;
  if (v !== undefined && v !== 1) throw new ManifestMigrationError(`format version ${quoted(v, 40)} is not one this Lamina reads (1 or ${PACK_FORMAT_VERSION})`);
  return fromFormat1(m);
}

function fromFormat1(m: Obj): PackManifestInput {
  const fail = (field: string, why = 'is missing'): never => {
    throw new ManifestMigrationError(`format 1 manifest: ${field} ${why}`);
  };
  const num = (o: Obj, key: string, section: string): number => (typeof o[key] === 'number' && Number.isFinite(o[key]) ? (o[key] as number) : fail(`${section}.${key}`));
  const optNum = (o: Obj, key: string, fallback: number): number => (typeof o[key] === 'number' ? (o[key] as number) : fallback);
  const graphs = obj(m.graphs) as Record<string, GraphSpec>;
  const io = (graph: string, side: 'inputs' | 'outputs', ...candidates: string[]): string | undefined => {
    const names = (graphs[graph]?.[side] ?? []).map((t) => t.name);
    return candidates.find((c) => names.includes(c));
  };
  const required = (graph: string, side: 'inputs' | 'outputs', role: string, ...candidates: string[]): string =>
    io(graph, side, ...candidates) ?? graphs[graph]?.[side]?.[0]?.name ?? fail(`graphs.${graph}.${side}`, `has no ${role}`);
  for (const g of ['text_encoder', 'transformer', 'vae_decoder']) if (!graphs[g]) fail(`graphs.${g}`);

  const latent = obj(m.latent);
  const image = obj(m.image);
  const tr = obj(m.transformer);
  const sch = obj(m.scheduler);
  const tok = obj(m.tokenizer);

  // native size: native_size ({width,height} or [w,h]), else the decoder's fixed output dims
  const ns = m.native_size;
  const decDims = graphs.vae_decoder.outputs[0]?.dims ?? [];
  const native = Array.isArray(ns) && ns.length === 2 ? { width: Number(ns[0]), height: Number(ns[1]) }
    : ns && typeof ns === 'object' ? { width: Number(obj(ns).width), height: Number(obj(ns).height) }
    : typeof decDims[2] === 'number' && typeof decDims[3] === 'number' ? { width: decDims[3], height: decDims[2] }
    : fail('native_size');

  const channels = num(image, 'channels', 'image');
  if (channels !== 3 && channels !== 4) fail('image.channels', `is ${channels} (3 or 4)`);
  const range = Array.isArray(image.range) && image.range.length === 2 ? [Number(image.range[0]), Number(image.range[1])] as [number, number] : fail('image.range');
  const pixelFormat = { channels: channels as 3 | 4, range, premultiplied: image.pixel_format === 'rgba_premultiplied' };

  const trLatent = required('transformer', 'inputs', 'latent input', 'latent', 'hidden_states', 'sample', 'x');
  const trLatentDims = graphs.transformer.inputs.find((i) => i.name === trLatent)?.dims ?? [];
  const textDims = graphs.text_encoder.outputs[0]?.dims ?? [];
  const textDim = typeof tr.text_dim === 'number' ? tr.text_dim : typeof textDims[2] === 'number' ? textDims[2] : fail('transformer.text_dim');
  const kv = io('transformer', 'inputs', 'text_k_override') && io('transformer', 'inputs', 'text_v_override') && io('transformer', 'inputs', 'kv_mix') && io('transformer', 'outputs', 'text_k') && io('transformer', 'outputs', 'text_v');
  const mask = io('transformer', 'inputs', 'text_mask', 'encoder_attention_mask');
  const bias = io('transformer', 'inputs', 'attn_bias', 'attention_bias', 'joint_attention_bias');
  const latentChannels = typeof latent.channels === 'number' ? latent.channels : typeof trLatentDims[1] === 'number' ? trLatentDims[1] : fail('latent.channels');
  const scaleFactor = typeof (latent.vae_scale_factor ?? latent.scale_factor) === 'number' ? (latent.vae_scale_factor ?? latent.scale_factor) as number : fail('latent.vae_scale_factor');
  const hasEncoder = !!graphs.vae_encoder;

  // an ART transformer (models/recipes/art.py): its token-layout inputs and an `art` section
  const artSection = m.art === undefined ? null : obj(m.art);
  const artIo = artSection ? {
    layerIds: required('transformer', 'inputs', 'layer index input', 'layer_index'),
    gatherIndices: required('transformer', 'inputs', 'position index input', 'pos_index'),
    tokenMask: required('transformer', 'inputs', 'token mask input', 'token_mask'),
  } : {};
  // a decomposition transformer (models/recipes/decomp.py): its image-condition input
  const decomposeSection = m.decompose === undefined ? null : obj(m.decompose);
  const decomposeIo = decomposeSection ? { imageCond: required('transformer', 'inputs', 'image condition input', 'cond') } : {};
  // LoRA adapters (models/recipes/lora.py ship): snake_case fields, otherwise as format 2
  const adapters = Object.fromEntries(Object.entries(obj(m.adapters)).map(([id, raw]) => {
    const a = obj(raw);
    return [id, {
      kind: a.kind, file: a.file, graph: a.graph, rank: a.rank, alpha: a.alpha, defaultStrength: a.default_strength ?? 1,
      blocks: a.blocks, targets: a.targets, ...(typeof a.description === 'string' ? { description: a.description } : {}),
    }];
  })) as NonNullable<PackManifestInput['components']['adapters']>;
  const pipelines = Array.isArray(m.pipelines) ? (m.pipelines as string[]) : ['text-to-image'];
  const { format: _f, format_version: _v, id, version, license, description, native_size: _n, latent: _l, image: _i, transformer: _t, scheduler: _s, tokenizer: _k, graphs: _g, files, pipelines: _p, art: _a, decompose: _d, adapters: _ad, ...rest } = m;
  return {
    format: PACK_FORMAT,
    formatVersion: PACK_FORMAT_VERSION,
    id: id as string,
    version: version as string,
    ...(typeof license === 'string' ? { license } : {}),
    ...(typeof description === 'string' ? { description } : {}),
    pipelines,
    native,
    // format 1 transformers were exported for their native token grid
    resolution: { fixed: typeof tr.image_tokens === 'number', multipleOf: scaleFactor * num(tr, 'patch_size', 'transformer') },
    components: {
      tokenizers: { words: { type: 'word', file: typeof tok.file === 'string' ? tok.file : fail('tokenizer.file'), maxLength: num(tok, 'max_length', 'tokenizer') } },
      textEncoders: [{
        graph: 'text_encoder', tokenizer: 'words', hiddenSize: textDim,
        io: {
          ids: required('text_encoder', 'inputs', 'token ids input', 'input_ids', 'ids', 'tokens'),
          ...(io('text_encoder', 'inputs', 'attention_mask', 'mask', 'text_mask') ? { mask: io('text_encoder', 'inputs', 'attention_mask', 'mask', 'text_mask') } : {}),
          hidden: required('text_encoder', 'outputs', 'hidden states output', 'text_embeds', 'last_hidden_state', 'encoder_hidden_states'),
        },
      }],
      transformer: {
        graph: 'transformer', family: 'lamina-mmdit', patchSize: num(tr, 'patch_size', 'transformer'),
        imageTokens: typeof tr.image_tokens === 'number' ? tr.image_tokens : null,
        blockCount: num(tr, 'block_count', 'transformer'), textDim, prediction: 'velocity',
        io: {
          latent: trLatent,
          timestep: required('transformer', 'inputs', 'timestep input', 'timestep', 't', 'sigma'),
          text: required('transformer', 'inputs', 'text input', 'text_embeds', 'encoder_hidden_states', 'context'),
          output: required('transformer', 'outputs', 'velocity output', 'velocity', 'sample', 'noise_pred'),
          ...(mask ? { textMask: mask } : {}),
          ...(bias ? { attentionBias: bias } : {}),
          ...(kv ? { textKv: { k: 'text_k', v: 'text_v', kOverride: 'text_k_override', vOverride: 'text_v_override', mix: 'kv_mix' } } : {}),
          ...artIo,
          ...decomposeIo,
        },
        ...(typeof tr.attention_mask_value === 'number' ? { attentionMaskValue: tr.attention_mask_value } : {}),
      },
      imageCodec: {
        kind: channels === 4 ? 'rgba-vae' : 'rgb-vae',
        decoder: 'vae_decoder',
        ...(hasEncoder ? { encoder: 'vae_encoder' } : {}),
        scaleFactor,
        latentChannels,
        scalingFactor: optNum(latent, 'scaling_factor', 1),
        shiftFactor: optNum(latent, 'shift_factor', 0),
        io: {
          decoderLatent: required('vae_decoder', 'inputs', 'latent input', 'latent', 'latents', 'z', 'latent_sample'),
          decoderImage: required('vae_decoder', 'outputs', 'image output', 'image', 'sample'),
          ...(hasEncoder ? {
            encoderImage: required('vae_encoder', 'inputs', 'image input', 'image', 'sample', 'x'),
            encoderLatent: required('vae_encoder', 'outputs', 'latent output', 'latent', 'latent_dist', 'mean'),
          } : {}),
        },
        image: pixelFormat,
      },
      scheduler: {
        type: 'flow-match-euler',
        shift: num(sch, 'shift', 'scheduler'),
        spacing: sch.spacing === 'diffusers' ? 'diffusers' : 'linspace',
        numTrainTimesteps: optNum(sch, 'num_train_timesteps', 1000),
        timestepScale: optNum(sch, 'timestep_scale', 1),
        dynamicShift: null,
        defaultSteps: num(sch, 'default_steps', 'scheduler'),
        defaultGuidance: num(sch, 'default_guidance', 'scheduler'),
        guidance: 'cfg',
        uncondPrompt: '',
      },
      ...(artSection ? { art: { maxBoxes: num(artSection, 'max_boxes', 'art'), trainedBoxes: num(artSection, 'trained_boxes', 'art') } } : {}),
      ...(decomposeSection ? { decompose: { targets: ['background', 'foreground'] as ['background', 'foreground'] } } : {}),
      ...(Object.keys(adapters).length ? { adapters } : {}),
    },
    graphs,
    files: files as PackManifestInput['files'],
    about: { migratedFrom: 'lamina-model-pack format 1', ...rest, latent: m.latent, image: m.image, transformer: m.transformer, scheduler: m.scheduler, tokenizer: m.tokenizer, ...(artSection ? { art: m.art } : {}), ...(decomposeSection ? { decompose: m.decompose } : {}), ...(m.adapters !== undefined ? { adapters: m.adapters } : {}) },
  };
}

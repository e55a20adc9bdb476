// What a pipeline needs to know about a pack: a view of its (format 2) manifest's
// components with resolved graph paths. Every size, factor and default comes from the
// manifest (common/models/pack-manifest.ts); nothing here knows the tiny pack.
import { join } from 'node:path';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { isPlacementManifest, type PackManifest } from '../../../common/models/pack-manifest.ts';
import type {
  AdapterComponent, ArtComponent, DecomposeComponent, GraphSpec, ImageCodecComponent, SchedulerComponent, TextEncoderComponent, TokenizerComponent, TransformerComponent,
} from '../../../common/models/pack-manifest.ts';
import type { Pack } from './pack-registry.ts';

export interface PackModel {
  id: string;
  version: string;
  dir: string;
  native: { width: number; height: number };
  resolution: { fixed: boolean; multipleOf: number };
  /** the transformer's space: codec latents, or pixels for an image codec of kind "none" */
  latent: { channels: number; vaeScaleFactor: number; scalingFactor: number; shiftFactor: number };
  transformer: TransformerComponent;
  codec: ImageCodecComponent;
  image: { channels: number; range: [number, number]; premultiplied: boolean };
  scheduler: SchedulerComponent;
  textEncoders: TextEncoderComponent[];
  tokenizers: Record<string, TokenizerComponent>;
  graphs: Record<string, GraphSpec & { path: string; bytes: number }>;
  /** the transformer is an ART one (region-cropped multi-layer sequences), else null */
  art: ArtComponent | null;
  /** the transformer is a decomposition one ([background; foreground] latents), else null */
  decompose: DecomposeComponent | null;
  /** LoRA adapters by id (empty when the pack ships none) */
  adapters: Record<string, AdapterComponent>;
}

/** The pack's manifest as a diffusion pack's; a clear error for a placement pack. */
export function diffusionManifest(pack: Pack): PackManifest {
  const m = pack.manifest;
  if (isPlacementManifest(m)) throw new LaminaError('bad_pack', `model pack "${pack.id}" is a placement pack: it has no diffusion components (pipelines: ${m.pipelines.join(', ')})`);
  return m;
}

export function readPackModel(pack: Pack): PackModel {
  const m = diffusionManifest(pack);
  const c = m.components;
  const graphs: PackModel['graphs'] = {};
  for (const [name, g] of Object.entries(m.graphs)) graphs[name] = { ...g, path: join(pack.dir, g.file), bytes: m.files[g.file]?.bytes ?? 0 };
  const codec = c.imageCodec;
  const latent = codec.kind === 'none'
    ? { channels: codec.image.channels, vaeScaleFactor: 1, scalingFactor: 1, shiftFactor: 0 }
    : { channels: codec.latentChannels, vaeScaleFactor: codec.scaleFactor, scalingFactor: codec.scalingFactor, shiftFactor: codec.shiftFactor };
  return {
    id: pack.id,
    version: m.version,
    dir: pack.dir,
    native: m.native,
    resolution: m.resolution,
    latent,
    transformer: c.transformer,
    codec,
    image: codec.image,
    scheduler: c.scheduler,
    textEncoders: c.textEncoders,
    tokenizers: c.tokenizers,
    graphs,
    art: c.art ?? null,
    decompose: c.decompose ?? null,
    adapters: c.adapters,
  };
}

/** The word tokenizer's file of a pack whose first text encoder uses one (world.json for Lamina packs). */
export function wordTokenizerFile(model: PackModel): string {
  const t = model.tokenizers[model.textEncoders[0].tokenizer];
  if (t.type !== 'word') throw new LaminaError('bad_pack', `model pack "${model.id}": its ${t.type} tokenizer is not supported by this version of Lamina (word only)`);
  return join(model.dir, t.file);
}

/** The graph `name`, or bad_pack naming what the pack lacks. */
export function requireGraph(model: PackModel, name: string, forWhat: string): PackModel['graphs'][string] {
  const g = model.graphs[name];
  if (!g) throw new LaminaError('bad_pack', `model pack "${model.id}" has no "${name}" graph, which ${forWhat} needs (graphs: ${Object.keys(model.graphs).join(', ') || 'none'})`);
  return g;
}

// What a pipeline needs to know about a pack, read from its manifest with the defaults of
// the lamina-model-pack format (models/recipes/export_onnx.py writes it). One adapter, so
// pipelines never read manifest fields directly and a pack from another exporter (or a
// future SD3/FLUX converter) only has to be described here.
import { join } from 'node:path';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { GraphSpec } from '../../../common/models/pack-manifest.ts';
import type { Pack } from './pack-registry.ts';

export interface PackModel {
  id: string;
  version: string;
  dir: string;
  native: { width: number; height: number };
  latent: { channels: number; vaeScaleFactor: number; scalingFactor: number; shiftFactor: number };
  transformer: { patchSize: number; imageTokens: number | null; blockCount: number | null };
  image: { channels: number; range: [number, number]; premultiplied: boolean };
  scheduler: {
    shift: number;
    /** 'linspace': sigma_i = shift(1 - i/steps) (lamina-tiny); 'diffusers': FlowMatchEulerDiscreteScheduler's default */
    spacing: 'linspace' | 'diffusers';
    /** the transformer's timestep input = sigma * timestepScale (1 for lamina packs, 1000 for diffusers-style graphs) */
    timestepScale: number;
    numTrainTimesteps: number;
    defaultSteps: number;
    defaultGuidance: number;
  };
  tokenizer: { file: string; maxLength: number | null };
  graphs: Record<string, GraphSpec & { path: string; bytes: number }>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function readPackModel(pack: Pack): PackModel {
  const m = pack.manifest as unknown as Obj;
  const where = `${pack.dir}/manifest.json`;
  const graphs: PackModel['graphs'] = {};
  for (const [name, g] of Object.entries(pack.manifest.graphs)) {
    graphs[name] = { ...g, path: join(pack.dir, g.file), bytes: pack.manifest.files[g.file]?.bytes ?? 0 };
  }
  const latent = obj(m.latent);
  const tr = obj(m.transformer);
  const image = obj(m.image);
  const sch = obj(m.scheduler);
  const tok = obj(m.tokenizer);

  // native size: manifest native_size ({width,height} or [w,h]), else the decoder's fixed output dims
  let native: { width: number; height: number } | null = null;
  const ns = m.native_size;
  if (Array.isArray(ns) && ns.length === 2) native = { width: Number(ns[0]), height: Number(ns[1]) };
  else if (ns && typeof ns === 'object') native = { width: num(obj(ns).width, NaN), height: num(obj(ns).height, NaN) };
  const decOut = graphs.vae_decoder?.outputs[0]?.dims;
  if ((!native || !(native.width > 0 && native.height > 0)) && decOut && typeof decOut[2] === 'number' && typeof decOut[3] === 'number') {
    native = { width: decOut[3], height: decOut[2] };
  }
  if (!native || !(native.width > 0 && native.height > 0)) throw new LaminaError('bad_pack', `${where}: native_size is missing (and the vae_decoder output has no fixed size)`);

  const trLatentDims = graphs.transformer?.inputs.find((i) => i.name === 'latent' || i.name === 'hidden_states')?.dims;
  const channels = num(latent.channels, typeof trLatentDims?.[1] === 'number' ? trLatentDims[1] : NaN);
  if (!(channels > 0)) throw new LaminaError('bad_pack', `${where}: latent.channels is missing`);
  const vaeScaleFactor = num(latent.vae_scale_factor ?? latent.scale_factor, typeof trLatentDims?.[3] === 'number' ? native.width / trLatentDims[3] : 8);

  const sigmasText = str(sch.sigmas);
  const spacing = sch.spacing === 'diffusers' || sch.spacing === 'linspace' ? sch.spacing : /i \/ steps|linspace/.test(sigmasText) || sch.sigma_min === 0 ? 'linspace' : 'diffusers';
  const tsText = str(tr.timestep);
  const timestepScale = num(sch.timestep_scale, /1000/.test(tsText) ? 1000 : /\[0, ?1\]|sigma/.test(tsText) ? 1 : 1000);

  return {
    id: pack.id,
    version: pack.manifest.version,
    dir: pack.dir,
    native,
    latent: { channels, vaeScaleFactor, scalingFactor: num(latent.scaling_factor ?? latent.scale, 1), shiftFactor: num(latent.shift_factor ?? latent.shift, 0) },
    transformer: { patchSize: num(tr.patch_size, 2), imageTokens: typeof tr.image_tokens === 'number' ? tr.image_tokens : null, blockCount: typeof tr.block_count === 'number' ? tr.block_count : null },
    image: {
      channels: num(image.channels, 3),
      range: Array.isArray(image.range) && image.range.length === 2 ? [Number(image.range[0]), Number(image.range[1])] : [-1, 1],
      premultiplied: image.premultiplied === true || /premultiplied/.test(str(image.pixel_format)),
    },
    scheduler: {
      shift: num(sch.shift, 1),
      spacing,
      timestepScale,
      numTrainTimesteps: num(sch.num_train_timesteps, 1000),
      defaultSteps: num(sch.default_steps, 20),
      defaultGuidance: num(sch.default_guidance, 4),
    },
    tokenizer: { file: str(tok.file) || 'world.json', maxLength: typeof tok.max_length === 'number' ? tok.max_length : null },
    graphs,
  };
}

/** The graph `name`, or bad_pack naming what the pack lacks. */
export function requireGraph(model: PackModel, name: string, forWhat: string): PackModel['graphs'][string] {
  const g = model.graphs[name];
  if (!g) throw new LaminaError('bad_pack', `model pack "${model.id}" has no "${name}" graph, which ${forWhat} needs (graphs: ${Object.keys(model.graphs).join(', ') || 'none'})`);
  return g;
}

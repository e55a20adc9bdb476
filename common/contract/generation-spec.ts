// The spec of one generation, shared by `lamina generate --spec`, the editor and the server.
import { z } from 'zod';

export const RegionSpec = z.object({
  id: z.string().min(1),
  box: z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]),
  prompt: z.string(),
});

const layerBindParamShape = {
  mode: z.enum(['layerbind', 'regional-mask', 'global']).optional(),
  fuseSigma: z.number().gt(0).max(1).optional(),
  nursingEndSigma: z.number().min(0).max(1).optional(),
  fuseStep: z.number().int().min(0).optional(),
  nursingSteps: z.number().int().min(0).optional(),
  schedule: z.enum(['cosine', 'linear', 'constant']).optional(),
  strength: z.number().min(0).max(1).optional(),
  maskThreshold: z.number().gt(0).max(1).optional(),
  regionalSteps: z.number().int().min(0).optional(),
  sharedUncond: z.boolean().optional(),
  branchPooling: z.enum(['region', 'global+region']).optional(),
};

/** LayerBind method parameters riding on a spec (`lamina generate --spec`); they override
 * the pipeline's defaults (main/engine/pipelines/pipeline-layerbind.ts, docs/layerbind.md).
 * Strict: a misspelt parameter is an error, never silently ignored. */
export const LayerBindSpecParams = z.object(layerBindParamShape).strict();
export type LayerBindSpecParams = z.infer<typeof LayerBindSpecParams>;

/** The same parameters as a generated layer's provenance records them (as the pipeline
 * resolved them); keys a later version adds are kept, so files stay readable both ways. */
export const LayerBindRecord = z.object(layerBindParamShape).catchall(z.unknown());

export const GenerationSpec = z.object({
  prompt: z.string(),
  width: z.number().int().positive().max(4096),
  height: z.number().int().positive().max(4096),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  steps: z.number().int().min(1).max(200),
  guidance: z.number().min(0).max(30).default(4),
  regions: z.array(RegionSpec).default([]),
  /** Region ids, front to back. */
  order: z.array(z.string()).default([]),
  packId: z.string().optional(),
  /** LayerBind parameters (defaults chosen by measurement; see docs/layerbind.md) */
  layerbind: LayerBindSpecParams.optional(),
  device: z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']).default('auto'),
});
export type GenerationSpec = z.infer<typeof GenerationSpec>;
export type GenerationSpecInput = z.input<typeof GenerationSpec>;


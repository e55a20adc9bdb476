// The spec of one generation, shared by `lamina generate --spec`, the editor and the server.
import { z } from 'zod';

export const RegionSpec = z.object({
  id: z.string().min(1),
  box: z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]),
  prompt: z.string(),
});

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
  device: z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']).default('auto'),
});
export type GenerationSpec = z.infer<typeof GenerationSpec>;
export type GenerationSpecInput = z.input<typeof GenerationSpec>;

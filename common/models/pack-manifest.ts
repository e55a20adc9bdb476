// Model pack manifest: what a pack folder must declare. General on purpose: nothing here
// assumes the tiny pack's sizes, vocabulary or block counts.
import { z } from 'zod';

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

export const PackManifest = z.object({
  id: z.string().min(1),
  version: z.string(),
  license: z.string().optional(),
  /** task names this pack supports, e.g. "text-to-image" */
  pipelines: z.array(z.string()).default([]),
  graphs: z.record(z.string(), GraphSpec).default({}),
  /** every file of the pack (relative path -> checksum); verified before loading */
  files: z.record(z.string(), FileEntry),
}).passthrough();
export type PackManifest = z.infer<typeof PackManifest>;

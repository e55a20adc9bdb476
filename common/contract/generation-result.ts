// What a generation job returns: layers (front first) as PNG, plus how it ran.
import { z } from 'zod';
import { Provenance } from '../document/document-schema.ts';

export const GeneratedLayer = z.object({
  name: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  x: z.number().int().default(0),
  y: z.number().int().default(0),
  pngBase64: z.string(),
  provenance: Provenance,
});

export const GenerationResult = z.object({
  layers: z.array(GeneratedLayer).min(1),
  provider: z.string(),
  timings: z.record(z.string(), z.number()).default({}),
  notes: z.array(z.string()).default([]),
});
export type GenerationResult = z.infer<typeof GenerationResult>;

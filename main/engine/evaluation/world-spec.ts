// The Lamina world's vocabulary and palette, read from a pack's world.json (the same file
// the Python recipes use).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const WorldSpec = z.object({
  schema_version: z.number(),
  vocab: z.array(z.string()),
  special_tokens: z.object({ pad: z.string(), bos: z.string(), eos: z.string(), unk: z.string() }),
  tokenizer: z.object({ lowercase: z.boolean(), split_regex: z.string(), max_length: z.number().int() }),
  colour_order: z.array(z.string()),
  colours: z.record(z.string(), z.tuple([z.number(), z.number(), z.number()])),
  shapes: z.array(z.string()),
  size_order: z.array(z.string()),
  words: z.array(z.string()),
}).passthrough();
export type WorldSpec = z.infer<typeof WorldSpec>;

export function loadWorldSpec(path: string): WorldSpec {
  return WorldSpec.parse(JSON.parse(readFileSync(path, 'utf8')));
}

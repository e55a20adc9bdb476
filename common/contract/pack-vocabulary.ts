// What a pack's prompt fields may say: the words of a word-level tokenizer (Lamina's world
// packs), how it splits text, and the palette its colour words mean. The editor underlines
// unknown words and completes known ones from it, and tints region overlays with the
// colour word of their prompt. Packs with sub-word tokenizers (CLIP BPE, T5) take any text:
// they have no vocabulary here (null).
import { z } from 'zod';

const Rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);

export const PackVocabulary = z.object({
  /** known words, in the tokenizer's order (special tokens left out) */
  words: z.array(z.string()),
  /** the tokenizer's word pattern (a RegExp source, matched globally) */
  split: z.string(),
  lowercase: z.boolean().default(true),
  /** colour word -> RGB, as the pack's world draws it */
  colours: z.record(z.string(), Rgb).default({}),
});
export type PackVocabulary = z.output<typeof PackVocabulary>;

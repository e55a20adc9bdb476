// Step "encode prompt" (diffusers' encode_prompt): prompts -> the text encoder's hidden
// states as one batch, with the per-prompt token counts and each prompt's valid rows.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import type { PackComponents, EncodedText } from '../pack-components.ts';

export interface PromptBatch extends EncodedText {
  /** hidden size of the text encoder */
  dim: number;
  /** real tokens of each prompt (at least 1) */
  lengths: number[];
  /** prompt b's valid rows [lengths[b], dim] (a view, not a copy) */
  rows(b: number): Float32Array;
}

/** Checks every prompt against the tokenizer before any graph loads (unknown word -> bad_request, named by `label`). */
export function checkPrompts(parts: PackComponents, prompts: readonly { text: string; label?: string }[]): void {
  if (!parts.usesWordTokenizer) return; // byte-level / unigram tokenizers take any text
  const tokenizer = parts.tokenizer();
  for (const p of prompts) {
    try {
      tokenizer.encode(p.text);
    } catch (err) {
      if (err instanceof LaminaError && p.label) throw new LaminaError(err.code, `${p.label}: ${err.message}`, err.details);
      throw err;
    }
  }
}

export async function encodePrompt(parts: PackComponents, prompts: readonly string[]): Promise<PromptBatch> {
  const enc = await parts.encodePrompts(prompts);
  const dim = enc.embeds.dims[2] as number;
  const src = enc.embeds.data as Float32Array;
  const lengths = Array.from({ length: enc.batch }, (_, b) => {
    let n = 0;
    for (let t = 0; t < enc.length; t++) n += enc.mask[b * enc.length + t];
    return Math.max(1, n);
  });
  return { ...enc, dim, lengths, rows: (b) => src.subarray(b * enc.length * dim, (b * enc.length + lengths[b]) * dim) };
}

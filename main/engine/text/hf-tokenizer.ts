// Hugging Face tokenizers (CLIP byte-level BPE, T5 unigram) from a pack's tokenizer.json +
// tokenizer_config.json, through @huggingface/tokenizers (the transformers.js tokenizers).
// Encoding matches what diffusers' pipelines ask of transformers: special tokens added,
// truncated to maxLength (special tokens kept), padded to maxLength with the pad token.
// Checked token for token against Python `tokenizers` (real-pack-parity.test.ts).
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { EncodedBatch } from './tokenizer.ts';

type Json = Record<string, unknown>;

export class HfTokenizer {
  readonly pad: number;
  private readonly eos: number | null;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    config: Json,
    readonly label: string,
  ) {
    const name = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Json).content === 'string' ? ((v as Json).content as string) : null);
    const id = (role: string): number | null => {
      const t = name(config[role]);
      return t === null ? null : tokenizer.token_to_id(t) ?? null;
    };
    const pad = id('pad_token') ?? id('eos_token');
    if (pad === null) throw new LaminaError('bad_pack', `${label}: tokenizer_config.json names no pad_token (or eos_token) in the vocabulary`);
    this.pad = pad;
    this.eos = id('eos_token');
  }

  static fromFiles(jsonPath: string, configPath: string | undefined, maxLength: number, label: string): HfTokenizer {
    const read = (p: string): Json => {
      try {
        return JSON.parse(readFileSync(p, 'utf8')) as Json;
      } catch (err) {
        throw new LaminaError('bad_pack', `${p}: cannot read tokenizer file (${(err as Error).message.split('\n')[0]})`);
      }
    };
    const json = read(jsonPath);
    const config = configPath ? read(configPath) : {};
    return new HfTokenizer(new Tokenizer(json, config), maxLength, config, label);
  }

  /** Token ids with special tokens, untruncated. */
  ids(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  /** One prompt -> exactly maxLength ids (truncated keeping the last special token, then padded) and how many are real. */
  encodeFixed(text: string): { ids: number[]; real: number; truncated: boolean } {
    let ids = this.ids(text);
    const truncated = ids.length > this.maxLength;
    if (truncated) {
      // HF truncation drops sequence tokens, never the special tokens the post-processor adds
      const last = ids[ids.length - 1];
      ids = ids.slice(0, this.maxLength);
      if (this.eos !== null && last === this.eos) ids[this.maxLength - 1] = this.eos;
    }
    const real = ids.length;
    while (ids.length < this.maxLength) ids.push(this.pad);
    return { ids, real, truncated };
  }

  /** Prompts -> one [batch, maxLength] batch. The mask marks real tokens (pipelines that attend to padding ignore it). */
  encodeBatch(prompts: readonly string[]): EncodedBatch {
    const ids: number[] = [];
    const mask: number[] = [];
    const truncated: number[] = [];
    prompts.forEach((p, b) => {
      const e = this.encodeFixed(p);
      ids.push(...e.ids);
      for (let i = 0; i < this.maxLength; i++) mask.push(i < e.real ? 1 : 0);
      if (e.truncated) truncated.push(b);
    });
    return { batch: prompts.length, length: this.maxLength, ids, mask, truncated };
  }
}

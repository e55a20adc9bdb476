// Word-level tokenizer driven by a world.json-style spec (models/lamina-tiny/world.json):
// lowercase, take the matches of split_regex (punctuation and spaces separate words), map
// each word to its id, [bos] + words + [eos], truncate to max_length keeping eos, pad with
// pad. Mirrors models/recipes/text.py, except that an unknown word is an error listing
// the closest known words instead of a silent <unk>: a designer's typo should be fixed,
// not ignored.
import { readFileSync } from 'node:fs';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { closestWords } from '../../../common/text/edit-distance.ts';

export { editDistance } from '../../../common/text/edit-distance.ts';

export interface TokenizerSpec {
  vocab: string[];
  special_tokens: { pad: string; bos: string; eos: string; unk?: string };
  tokenizer: { split_regex: string; lowercase?: boolean; max_length: number };
}

export interface EncodedBatch {
  batch: number;
  /** padded sequence length */
  length: number;
  /** row-major [batch, length] */
  ids: number[];
  /** 1 for real tokens (bos/eos included), 0 for pad */
  mask: number[];
  /** prompts that lost words to max_length */
  truncated: number[];
}

export class WordTokenizer {
  readonly vocab: readonly string[];
  private readonly index: Map<string, number>;
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  readonly maxLength: number;
  private readonly split: RegExp;
  private readonly lowercase: boolean;
  private readonly words: string[];

  constructor(spec: TokenizerSpec) {
    if (!Array.isArray(spec.vocab) || !spec.special_tokens || !spec.tokenizer) {
      throw new LaminaError('bad_pack', 'tokenizer spec needs vocab, special_tokens and tokenizer');
    }
    this.vocab = spec.vocab;
    this.index = new Map(spec.vocab.map((t, i) => [t, i]));
    const id = (role: 'pad' | 'bos' | 'eos') => {
      const tok = spec.special_tokens[role];
      const i = this.index.get(tok);
      if (i === undefined) throw new LaminaError('bad_pack', `tokenizer: special token ${role} "${tok}" is not in the vocabulary`);
      return i;
    };
    this.pad = id('pad');
    this.bos = id('bos');
    this.eos = id('eos');
    this.maxLength = spec.tokenizer.max_length;
    this.lowercase = spec.tokenizer.lowercase ?? true;
    this.split = new RegExp(spec.tokenizer.split_regex, 'g');
    const special = new Set(Object.values(spec.special_tokens));
    this.words = spec.vocab.filter((t) => !special.has(t));
  }

  static fromFile(path: string): WordTokenizer {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new LaminaError('bad_pack', `${path}: cannot read tokenizer spec (${(err as Error).message.split('\n')[0]})`);
    }
    return new WordTokenizer(raw as TokenizerSpec);
  }

  /** The words of a prompt, as the model sees them. */
  wordsOf(text: string): string[] {
    const t = this.lowercase ? text.toLowerCase() : text;
    return t.match(this.split) ?? [];
  }

  /** Token ids with bos/eos; throws bad_request naming unknown words and the closest known ones. */
  encode(text: string): { ids: number[]; truncated: boolean } {
    const words = this.wordsOf(text);
    const unknown = [...new Set(words.filter((w) => !this.index.has(w)))];
    if (unknown.length) {
      const parts = unknown.map((w) => `"${w}" (closest: ${this.closest(w).join(', ')})`);
      throw new LaminaError('bad_request', `prompt has word${unknown.length > 1 ? 's' : ''} the model does not know: ${parts.join('; ')}`, { unknown });
    }
    const room = this.maxLength - 2;
    const body = words.slice(0, room).map((w) => this.index.get(w)!);
    return { ids: [this.bos, ...body, this.eos], truncated: words.length > room };
  }

  /**
   * A padded batch. `padTo` forces the length (graphs with a fixed text length); by default
   * the batch's longest sequence.
   */
  encodeBatch(texts: readonly string[], padTo?: number): EncodedBatch {
    const seqs = texts.map((t) => this.encode(t));
    const longest = Math.max(...seqs.map((s) => s.ids.length));
    const length = padTo ?? longest;
    if (length < longest) throw new LaminaError('bad_request', `prompt needs ${longest} tokens but the text encoder takes ${length}`);
    const ids = new Array<number>(texts.length * length).fill(this.pad);
    const mask = new Array<number>(texts.length * length).fill(0);
    seqs.forEach((s, b) => s.ids.forEach((id, k) => {
      ids[b * length + k] = id;
      mask[b * length + k] = 1;
    }));
    return { batch: texts.length, length, ids, mask, truncated: seqs.flatMap((s, i) => (s.truncated ? [i] : [])) };
  }

  /** Up to `n` known words nearest to `word` by edit distance (ties: vocabulary order). */
  closest(word: string, n = 3): string[] {
    return closestWords(word, this.words, n);
  }
}

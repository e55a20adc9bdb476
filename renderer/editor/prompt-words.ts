// A prompt's words as the pack's tokenizer splits them (common/contract/pack-vocabulary.ts),
// with where each sits in the text and whether the pack knows it: the prompt fields
// underline the unknown ones and complete the word being typed. Pure; no DOM.
import type { PackSummary } from '../../common/contract/contract.ts';
import type { PackVocabulary } from '../../common/contract/pack-vocabulary.ts';
import { closestWords } from '../../common/text/edit-distance.ts';

export interface PromptWord {
  /** the word as the tokenizer sees it (lowercased when the tokenizer lowercases) */
  word: string;
  /** its place in the text: [start, end) */
  start: number;
  end: number;
  known: boolean;
}

const known = new WeakMap<PackVocabulary, Set<string>>();
function knownSet(v: PackVocabulary): Set<string> {
  let s = known.get(v);
  if (!s) known.set(v, (s = new Set(v.words)));
  return s;
}

/** The words of `text`, in order, each with its range and whether `vocab` knows it. */
export function promptWords(text: string, vocab: PackVocabulary): PromptWord[] {
  // lowercase keeps offsets for the text the tokenizers split (ASCII); when it would not, match case-blind instead
  const lower = vocab.lowercase ? text.toLowerCase() : text;
  const sameLength = lower.length === text.length;
  const re = new RegExp(vocab.split, vocab.lowercase && !sameLength ? 'gi' : 'g');
  const words = knownSet(vocab);
  const out: PromptWord[] = [];
  for (const m of (sameLength ? lower : text).matchAll(re)) {
    if (!m[0]) continue;
    const word = vocab.lowercase ? m[0].toLowerCase() : m[0];
    out.push({ word, start: m.index!, end: m.index! + m[0].length, known: words.has(word) });
  }
  return out;
}

/** The distinct words of `text` the pack does not know, in order of appearance. */
export function unknownWords(text: string, vocab: PackVocabulary): string[] {
  return [...new Set(promptWords(text, vocab).filter((w) => !w.known).map((w) => w.word))];
}

/** The word the caret is in or just after (what autocomplete completes), or null. */
export function wordAtCaret(text: string, caret: number, vocab: PackVocabulary): PromptWord | null {
  return promptWords(text, vocab).find((w) => w.start < caret && caret <= w.end) ?? null;
}

/** Known words to offer for `typed`: those it begins (vocabulary order), then, for an
 * unknown word that begins none, the closest by edit distance; never `typed` itself. */
export function completions(typed: string, vocab: PackVocabulary, n = 6): string[] {
  const t = vocab.lowercase ? typed.toLowerCase() : typed;
  if (!t) return [];
  const starts = vocab.words.filter((w) => w.startsWith(t) && w !== t);
  if (starts.length || knownSet(vocab).has(t)) return starts.slice(0, n);
  return closestWords(t, vocab.words, Math.min(n, 3));
}

/** `text` with `word` in place of `at`, and where the caret goes (after it and one space). */
export function replaceWord(text: string, at: Pick<PromptWord, 'start' | 'end'>, word: string): { text: string; caret: number } {
  const after = text.slice(at.end);
  const space = after.startsWith(' ') ? '' : ' ';
  return { text: `${text.slice(0, at.start)}${word}${space}${after}`, caret: at.start + word.length + 1 };
}

/** The vocabulary prompts are checked against: the chosen pack's, or (none chosen) the
 * first pack's that has one. Null: the pack takes any text. */
export function promptVocabulary(packs: readonly PackSummary[], packId: string | null): PackVocabulary | null {
  if (packId) return packs.find((p) => p.id === packId)?.vocabulary ?? null;
  return packs.find((p) => p.ok && p.vocabulary)?.vocabulary ?? null;
}

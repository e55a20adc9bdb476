// One word of a prompt replaced: the text-edit pipeline edits the layer's prompt with it and
// the editor's Edit Text panel shows the edited prompt before Apply (the same rule both sides).
import { LaminaError } from '../errors/lamina-error.ts';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The prompt with every whole-word `from` (case-insensitive) replaced by `to`; bad_request when there is none. */
export function replaceWord(prompt: string, from: string, to: string): string {
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(from)}(?![\\p{L}\\p{N}])`, 'giu');
  if (!re.test(prompt)) throw new LaminaError('bad_request', `"${from}" is not a word of the layer's prompt "${prompt}"`);
  return prompt.replace(re, to);
}

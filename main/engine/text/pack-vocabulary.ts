// A pack's prompt vocabulary for the editor (common/contract/pack-vocabulary.ts), read from
// its word tokenizer's spec (world.json): the known words, the split pattern and the
// palette. Null for a pack whose tokenizers take any text, or whose spec cannot be read
// (the pack's own loading reports that).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PackVocabulary } from '../../../common/contract/pack-vocabulary.ts';
import type { PackManifest } from '../../../common/models/pack-manifest.ts';

export function readPackVocabulary(dir: string, manifest: PackManifest): PackVocabulary | null {
  const word = Object.values(manifest.components.tokenizers).find((t) => t.type === 'word');
  if (!word) return null;
  try {
    const spec = JSON.parse(readFileSync(join(dir, word.file), 'utf8')) as {
      vocab?: unknown; special_tokens?: Record<string, string>; tokenizer?: { split_regex?: unknown; lowercase?: unknown }; colours?: unknown;
    };
    const special = new Set(Object.values(spec.special_tokens ?? {}));
    const parsed = PackVocabulary.safeParse({
      words: Array.isArray(spec.vocab) ? spec.vocab.filter((w) => typeof w === 'string' && !special.has(w)) : undefined,
      split: spec.tokenizer?.split_regex,
      lowercase: spec.tokenizer?.lowercase ?? true,
      colours: spec.colours ?? {},
    });
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PackVocabulary } from '../../common/contract/pack-vocabulary.ts';
import { completions, promptVocabulary, promptWords, replaceWord, unknownWords, wordAtCaret } from './prompt-words.ts';

// the shipped pack's own words (models/lamina-tiny/world.json), as the engine lists them
const world = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/lamina-tiny/world.json', import.meta.url)), 'utf8'));
const special = new Set(Object.values(world.special_tokens));
const vocab: PackVocabulary = { words: world.vocab.filter((w: string) => !special.has(w)), split: world.tokenizer.split_regex, lowercase: true, colours: world.colours };

test('promptWords: splits like the tokenizer (case, punctuation) and marks unknown words with their ranges', () => {
  const text = 'A large RED strar, on a yelow-striped background!';
  const words = promptWords(text, vocab);
  assert.deepEqual(words.map((w) => w.word), ['a', 'large', 'red', 'strar', 'on', 'a', 'yelow', 'striped', 'background']);
  const bad = words.filter((w) => !w.known);
  assert.deepEqual(bad.map((w) => text.slice(w.start, w.end)), ['strar', 'yelow']);
  assert.deepEqual(unknownWords(text + ' strar', vocab), ['strar', 'yelow']);
  assert.deepEqual(unknownWords('a small blue heart on a white background', vocab), []);
});

test('completions: known words the typed prefix begins, else the closest; never the word itself', () => {
  assert.deepEqual(completions('tri', vocab), ['triangle']);
  assert.ok(completions('s', vocab).includes('small') && completions('s', vocab).includes('star'));
  assert.deepEqual(completions('triangle', vocab), []);
  assert.equal(completions('strar', vocab)[0], 'star');
  assert.deepEqual(completions('', vocab), []);
});

test('wordAtCaret + replaceWord: completing the word being typed keeps the rest of the prompt', () => {
  const text = 'a red cir on a blue background';
  const at = wordAtCaret(text, 9, vocab)!;
  assert.equal(at.word, 'cir');
  assert.equal(wordAtCaret(text, 1, vocab)!.word, 'a');
  assert.equal(wordAtCaret('a red ', 6, vocab), null);
  const r = replaceWord(text, at, 'circle');
  assert.equal(r.text, 'a red circle on a blue background');
  assert.equal(r.text.slice(0, r.caret), 'a red circle ');
  assert.equal(replaceWord('a red cir', { start: 6, end: 9 }, 'circle').text, 'a red circle ');
});

test('promptVocabulary: the chosen pack\'s words; null for a pack that takes any text', () => {
  const pack = (id: string, v: PackVocabulary | null) => ({ id, version: '1', dir: '', ok: true, error: null, pipelines: [], native: null, defaultSteps: null, vocabulary: v });
  const packs = [pack('sd3', null), pack('tiny', vocab)];
  assert.equal(promptVocabulary(packs, 'tiny'), vocab);
  assert.equal(promptVocabulary(packs, 'sd3'), null);
  assert.equal(promptVocabulary(packs, null), vocab);
});

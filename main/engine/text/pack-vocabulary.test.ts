import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadPackRegistry } from '../runtime/pack-registry.ts';

const MODELS = fileURLToPath(new URL('../../../models', import.meta.url));

test('pack summary: a word-tokenizer pack lists its words, split pattern and palette for the editor', async () => {
  const reg = await loadPackRegistry([MODELS]);
  const tiny = reg.summaries.find((s) => s.id === 'lamina-tiny')!;
  const v = tiny.vocabulary!;
  assert.ok(v, 'lamina-tiny has a vocabulary');
  for (const w of ['circle', 'red', 'background', 'striped']) assert.ok(v.words.includes(w), w);
  assert.ok(!v.words.some((w) => w.startsWith('<')), 'special tokens are left out');
  assert.equal(v.split, '[a-z0-9]+');
  assert.deepEqual(v.colours.red, [220, 50, 47]);
  const place = reg.summaries.find((s) => s.family === 'placement');
  if (place) assert.equal(place.vocabulary, null);
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { editDistance, WordTokenizer } from './tokenizer.ts';

const WORLD = fileURLToPath(new URL('../../../models/lamina-tiny/world.json', import.meta.url));
const tok = WordTokenizer.fromFile(WORLD);
const id = (w: string) => tok.vocab.indexOf(w);

test('tokenizer: lowercase, punctuation separates words, bos/eos', () => {
  const { ids } = tok.encode('A large RED star, on a yellow-striped background!');
  assert.deepEqual(ids, [tok.bos, ...['a', 'large', 'red', 'star', 'on', 'a', 'yellow', 'striped', 'background'].map(id), tok.eos]);
  assert.deepEqual(tok.encode('').ids, [tok.bos, tok.eos]);
  assert.deepEqual(tok.encode('  ...  ').ids, [tok.bos, tok.eos]);
});

test('tokenizer: batch pads to the longest (or a fixed length) with mask', () => {
  const b = tok.encodeBatch(['red star', '']);
  assert.equal(b.length, 4);
  assert.deepEqual(b.ids, [tok.bos, id('red'), id('star'), tok.eos, tok.bos, tok.eos, tok.pad, tok.pad]);
  assert.deepEqual(b.mask, [1, 1, 1, 1, 1, 1, 0, 0]);
  assert.equal(tok.encodeBatch(['red'], 48).ids.length, 48);
  assert.throws(() => tok.encodeBatch(['red star'], 3), /needs 4 tokens/);
});

test('tokenizer: truncates to max_length keeping eos', () => {
  const long = Array(60).fill('red').join(' ');
  const { ids, truncated } = tok.encode(long);
  assert.equal(ids.length, tok.maxLength);
  assert.equal(ids.at(-1), tok.eos);
  assert.equal(truncated, true);
});

test('tokenizer: unknown word -> bad_request listing the closest known words', () => {
  try {
    tok.encode('a larg red strar and a tiger');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof LaminaError);
    assert.equal(err.code, 'bad_request');
    assert.match(err.message, /"larg" \(closest: large/);
    assert.match(err.message, /"strar" \(closest: star/);
    assert.match(err.message, /"tiger"/);
    assert.doesNotMatch(err.message, /<pad>|<unk>/);
  }
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('tokenizer: matches the Python recipe tokenizer on known prompts', { skip: !hasPython() && 'python3 not available' }, () => {
  const prompts = ['a large red star and a small blue circle on a yellow striped background with the word CAT', 'Large green square.', ''];
  const py = execFileSync('python3', ['-c', `
import json, sys
sys.path.insert(0, ${JSON.stringify(fileURLToPath(new URL('../../../', import.meta.url)))})
from models.recipes.text import Tokenizer
t = Tokenizer(json.load(open(${JSON.stringify(WORLD)})))
print(json.dumps([t.ids(p) for p in json.loads(sys.argv[1])]))
`, JSON.stringify(prompts)], { encoding: 'utf8' });
  assert.deepEqual(prompts.map((p) => tok.encode(p).ids), JSON.parse(py));
});

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("torch") else 1)'], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

import sharp from 'sharp';
// `lamina generate --lora-strength S` on the fixture pack that ships a LoRA adapter: the
// strength reaches the spec and the layer's provenance, 0 gives the same pixels as no
// flag, and a pack without an adapter or a bad strength is a one-line error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { FIXTURE_LORA_PACK_DIR } from '../engine/testing/test-packs.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lamina.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'lamina-cli-lora-'));
const lamina = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LAMINA_HOME: tmp, LAMINA_PACKS: dirname(FIXTURE_LORA_PACK_DIR) } });
const spec = (packId: string) => {
  const path = join(tmp, `${packId}.json`);
  writeFileSync(path, JSON.stringify({ prompt: 'a large red circle on a white background', width: 64, height: 64, seed: 5, steps: 2, packId, device: 'cpu' }));
  return path;
};

test('lamina generate --lora-strength: the adapter at that strength in the provenance; 0 = the same pixels as without it', async () => {
  const runs = ['0.8', '0', null].map((s) => {
    const out = join(tmp, `lora-${s}.png`);
    const r = lamina('generate', '--spec', spec('fixture-tiny-lora'), '--out', out, '--json', ...(s === null ? [] : ['--lora-strength', s]));
    assert.equal(r.status, 0, r.stderr);
    return { json: JSON.parse(r.stdout), out };
  });
  assert.deepEqual(runs[0].json.layers[0].provenance.params.adapters, { 'text-lora': { strength: 0.8 } });
  assert.deepEqual(runs[1].json.layers[0].provenance.params.adapters, { 'text-lora': { strength: 0 } });
  assert.equal(runs[2].json.layers[0].provenance.params.adapters, undefined);
  // pixels, not file bytes: the PNG's Lamina metadata carries each run's provenance
  const [lora, zero, none] = await Promise.all(runs.map((r) => sharp(r.out).raw().toBuffer()));
  assert.ok(!lora.equals(none), 'strength 0.8 changes the image');
  assert.ok(zero.equals(none), 'strength 0 is the image without the adapter');
});

test('lamina generate --lora-strength: a pack without an adapter, an unknown id and a bad strength are one-line errors', () => {
  const none = lamina('generate', '--spec', spec('fixture-tiny'), '--out', join(tmp, 'x.png'), '--lora-strength', '1');
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /model pack "fixture-tiny" has no LoRA adapter/);
  const unknown = lamina('generate', '--spec', spec('fixture-tiny-lora'), '--out', join(tmp, 'x.png'), '--lora-strength', '1', '--lora', 'nope');
  assert.match(unknown.stderr, /no adapter "nope" \(adapters: text-lora\)/);
  const bad = lamina('generate', '--spec', spec('fixture-tiny-lora'), '--out', join(tmp, 'x.png'), '--lora-strength', 'strong');
  assert.match(bad.stderr, /--lora-strength is a number in \[0, 2\] \(got "strong"\)/);
});

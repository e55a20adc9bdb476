// `lamina generate --task layers` end to end on the random-weight ART fixture pack: the
// PNG stack (background first, then the boxes in order, each at canvas size, alpha only in
// its box's tokens), a PSD with the group, and one-line errors for bad boxes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { readPsd } from 'ag-psd';
import sharp from 'sharp';
import { ensureAgPsdCanvas } from '../engine/document/ag-psd-canvas.ts';
import { FIXTURE_ART_PACK_DIR } from '../engine/testing/test-packs.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lamina.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'lamina-cli-layers-'));
function lamina(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LAMINA_HOME: tmp, LAMINA_PACKS: dirname(FIXTURE_ART_PACK_DIR) } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const spec = { packId: 'fixture-tiny-art', prompt: 'a large red star and a small blue circle on a white background', boxes: [[4, 4, 24, 24], [36, 30, 20, 26]], width: 64, height: 64, seed: 5, steps: 3 };
const specFile = (s: object, name = 'spec.json') => {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(s));
  return p;
};

test('lamina generate --task layers --out DIR: a PNG stack, background first, then one canvas-sized layer per box in box order', async () => {
  const out = join(tmp, 'stack');
  const r = lamina('generate', '--task', 'layers', '--spec', specFile(spec), '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  const summary = JSON.parse(r.out);
  assert.equal(summary.seed, 5);
  assert.match(summary.group, /seed 5$/);
  const files = readdirSync(out).sort();
  assert.deepEqual(files, ['001-Background.png', '002-Box_1.png', '003-Box_2.png', 'composite.png', 'manifest.json']);
  const read = async (f: string) => sharp(join(out, f)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const bg = await read('001-Background.png');
  assert.deepEqual([bg.info.width, bg.info.height], [64, 64]);
  for (let p = 3; p < bg.data.length; p += 4) assert.equal(bg.data[p], 255);
  // box 1 -> tokens x, y 0..32 px; box 2 -> x 32..64, y 16..64 (16 px tokens)
  for (const [f, [x0, y0, x1, y1]] of [['002-Box_1.png', [0, 0, 32, 32]], ['003-Box_2.png', [32, 16, 64, 64]]] as const) {
    const { data, info } = await read(f);
    assert.deepEqual([info.width, info.height], [64, 64], `${f} is canvas-sized`);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) {
      if (x < x0 || x >= x1 || y < y0 || y >= y1) assert.equal(data[(y * 64 + x) * 4 + 3], 0, `${f}: alpha outside its box at ${x},${y}`);
    }
  }
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.layers.length, 3);
});

test('lamina generate --task layers --out .psd: a group of the background and the box layers (read back with ag-psd)', () => {
  const out = join(tmp, 'layers.psd');
  const r = lamina('generate', '--task', 'layers', '--spec', specFile({ ...spec, seed: undefined }), '--out', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /2 box layers \+ background, seed \d+, random/);
  ensureAgPsdCanvas();
  const psd = readPsd(readFileSync(out), { skipCompositeImageData: true, skipThumbnail: true, useImageData: true });
  const group = psd.children!.find((c) => c.children);
  assert.ok(group, 'the layers are a group');
  assert.deepEqual(group!.children!.map((c) => c.name), ['Background', 'Box 1', 'Box 2'], 'PSD lists bottom first');
});

test('lamina generate --task layers: bad boxes, no prompt and too many boxes are one-line errors', () => {
  const cases: [object, RegExp][] = [
    [{ ...spec, boxes: [[40, 40, 30, 10]] }, /box 1 \[40, 40, 30, 10\] reaches outside the 64x64 canvas/],
    [{ ...spec, boxes: [[4, 4, 0, 10]] }, /a box has no area/],
    [{ ...spec, prompt: '' }, /needs a prompt/],
    [{ ...spec, boxes: Array(51).fill([0, 0, 4, 4]) }, /at most 50 boxes/],
  ];
  cases.forEach(([s, message], i) => {
    const r = lamina('generate', '--task', 'layers', '--spec', specFile(s, `bad-${i}.json`), '--out', join(tmp, `bad-${i}`));
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, message);
  });
  const task = lamina('generate', '--task', 'paint', '--spec', specFile(spec), '--out', join(tmp, 'x.png'));
  assert.equal(task.code, 2);
  assert.match(task.err, /--task is generate or layers/);
});

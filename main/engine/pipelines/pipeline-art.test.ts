import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AddLayersResult } from '../../../common/contract/task-results.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { verifyPack, type Pack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { FIXTURE_ART_PACK_DIR, loadFixtureArtPack } from '../testing/test-packs.ts';
import { collectingContext, conformance } from './conformance.ts';
import { ArtPipeline } from './pipeline-art.ts';
import { findPipeline } from './pipeline-registry.ts';
import '../runtime/test-quiet-providers.ts';

const pack = await loadFixtureArtPack();
// the fixture is 64 x 64 px, a 4 x 4 token grid of 16 px tokens
const spec = { prompt: 'a large red star and a small blue circle on a white background', boxes: [[4, 4, 24, 24], [36, 30, 20, 26]], width: 64, height: 64, seed: 3, steps: 4, guidance: 4, device: 'cpu' as const };
const make = (p: Pack, pool: SessionPool) => new ArtPipeline(p, { pool });

conformance({
  name: 'art on fixture-tiny-art', pack, make: make as never, spec: spec as never,
  badSpecs: [
    { spec: { ...spec, boxes: [[40, 40, 30, 10]] }, code: 'bad_request', message: /box 1 \[40, 40, 30, 10\] reaches outside the 64x64 canvas/ },
    { spec: { ...spec, boxes: [[4, 4, 0, 10]] }, code: 'bad_request', message: /boxes\.0: a box has no area/ },
    { spec: { ...spec, boxes: [] }, code: 'bad_request', message: /at least one box/ },
    { spec: { ...spec, prompt: '  ' }, code: 'bad_request', message: /needs a prompt/ },
    { spec: { ...spec, prompt: 'a large red stra' }, code: 'bad_request', message: /"stra" \(closest: star/ },
    { spec: { ...spec, only: [2] }, code: 'bad_request', message: /only: there is no box 3 \(2 boxes; box indices start at 0\)/ },
  ],
});

async function run(p: Pack, s: object, options = {}) {
  const pool = new SessionPool();
  try {
    return await new ArtPipeline(p, { pool, ...options }).run(s, collectingContext().ctx);
  } finally {
    await pool.dispose();
  }
}

test('art: a named group, box layers front first over an opaque background; alpha only inside each box\'s tokens', async () => {
  assert.ok(findPipeline(pack, 'art') instanceof ArtPipeline, 'registered for the layers task');
  const r = await run(pack, spec);
  const parsed = AddLayersResult.parse(r); // the engine's own result schema
  assert.equal(parsed.group?.name, `${spec.prompt.slice(0, 47)}… · seed 3`);
  assert.deepEqual(r.layers.map((l) => l.name), ['Box 2', 'Box 1', 'Background']);
  const bg = r.layers[2].rgba;
  for (let p = 3; p < bg.length; p += 4) assert.equal(bg[p], 255, 'the background is opaque');
  // box 1 [4, 4, 24, 24] -> tokens [0, 0, 2, 2) -> pixels [0, 32); box 2 [36, 30, 20, 26] -> tokens [2, 1, 4, 4) -> x 32..64, y 16..64
  const inside = [[0, 0, 32, 32], [32, 16, 64, 64]];
  [r.layers[1], r.layers[0]].forEach((l, k) => {
    const [x0, y0, x1, y1] = inside[k];
    let outsideAlpha = 0;
    let insideAlpha = 0;
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) {
      const a = l.rgba[(y * 64 + x) * 4 + 3];
      if (x >= x0 && x < x1 && y >= y0 && y < y1) insideAlpha += a; else outsideAlpha += a;
    }
    assert.equal(outsideAlpha, 0, `box ${k + 1}: no alpha outside its tokens`);
    assert.ok(insideAlpha > 0, `box ${k + 1}: the random model still draws something inside`);
  });
  assert.deepEqual(r.layers[0].provenance.params.art, { boxes: spec.boxes, tokenBoxes: [[0, 0, 2, 2], [2, 1, 4, 4]], fullLayers: false, box: 1 });
  assert.equal(r.layers[1].provenance.params.art?.box, 0, 'each box layer says which box it is');
  assert.equal(r.layers[2].provenance.params.art?.box, undefined, 'the background is no box');
  assert.equal(r.layers[0].provenance.task, 'layers');
  assert.equal(r.timings.tokens, 16 + 16 + 4 + 6);
  assert.equal(r.timings.full_tokens, 4 * 16);
});

test('art: `only` returns just those boxes\' layers, no group, no background; the same seed gives the same pixels as the whole run', async () => {
  const whole = await run(pack, spec);
  const one = await run(pack, { ...spec, only: [0] });
  AddLayersResult.parse(one);
  assert.equal(one.group, undefined, 'lands in place of a layer, not as a new group');
  assert.deepEqual(one.layers.map((l) => l.name), ['Box 1']);
  assert.equal(one.layers[0].provenance.params.art?.box, 0);
  assert.deepEqual(Buffer.from(one.layers[0].rgba), Buffer.from(whole.layers[1].rgba), 'box 1 is generated with the whole layout, as in the full run');
  const reseeded = await run(pack, { ...spec, seed: 4, only: [0] });
  assert.notDeepEqual(Buffer.from(reseeded.layers[0].rgba), Buffer.from(whole.layers[1].rgba), 'a new seed, new pixels');
  const both = await run(pack, { ...spec, only: [0, 1] });
  assert.deepEqual(both.layers.map((l) => l.name), ['Box 2', 'Box 1'], 'front first');
});

test('art: region-cropped and full-layer sequences differ only in the box layers\' extra tokens (same weights)', async () => {
  const full = await run(pack, spec, { fullLayers: true });
  assert.equal(full.timings.tokens, full.timings.full_tokens);
  assert.equal(full.layers.length, 3);
});

test('art: a larger canvas resamples every layer to it and maps the boxes through the same cover', async () => {
  const r = await run(pack, { ...spec, width: 128, height: 64, boxes: [[64, 0, 32, 32]] });
  assert.ok(r.notes.some((n) => /resampled to 128x64/.test(n)));
  const l = r.layers[0];
  assert.equal(l.width, 128);
  // 128 x 64 covers the 64 px square scaled x2, cropped to native y 16..48: the box is native x 32..48, y 16..32 -> token [2, 1, 3, 2)
  assert.deepEqual(l.provenance.params.art?.tokenBoxes, [[2, 1, 3, 2]]);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (x < 64 || x >= 96 || y >= 32) assert.equal(l.rgba[(y * 128 + x) * 4 + 3], 0);
});

test('art: more boxes than the pack takes is a clear error naming the limit; a pack without ART is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-art-'));
  try {
    cpSync(FIXTURE_ART_PACK_DIR, dir, { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    m.art.max_boxes = 2;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const small = await verifyPack(dir);
    await assert.rejects(run(small, { ...spec, boxes: [[0, 0, 8, 8], [8, 8, 8, 8], [16, 16, 8, 8]] }), (e) => e instanceof LaminaError && e.code === 'bad_request' && /3 boxes: model pack "fixture-tiny-art" takes at most 2/.test(e.message));
    delete m.art;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const plain = await verifyPack(dir);
    await assert.rejects(run(plain, spec), (e) => e instanceof LaminaError && e.code === 'bad_pack' && /no ART transformer/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

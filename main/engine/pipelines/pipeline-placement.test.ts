// The place pipeline on the shipped placement pack (models/lamina-place): deterministic,
// normalized as documented, top-k ordered and apart, the same top cells as the recipe's
// Python inputs on the same PNGs, hostile objects rejected, and the place task through
// the engine (the object layer over the composite below it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { cellToPlacement, NMS_CELLS, topCells, type HeatmapVolume } from '../../../common/placement/placement-kernels.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { decodeImage } from '../imaging/image-codec.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { loadPackRegistry, type Pack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { jobFinished, tempEngine, type TempEngine } from '../testing/temp-engine.ts';
import { PlacementPipeline } from './pipeline-placement.ts';
import { FIXTURES } from './placement/bench-placement.ts';
import { backgroundInput, objectInput } from './placement/place-inputs.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const MODELS = join(HERE, '..', '..', '..', 'models');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  scenes: { seed: number; box: number[]; object_size: number[]; top_cells: number[][]; top_scores: number[]; plausible: boolean[] }[];
};
const png = async (name: string) => decodeImage(readFileSync(join(FIXTURES, name)));

let pack: Pack;
let pool: SessionPool;
let pipe: PlacementPipeline;
let bg: RgbaImage;
let obj: RgbaImage;
before(async () => {
  pack = (await loadPackRegistry([MODELS])).resolve(undefined, 'placement');
  pool = new SessionPool();
  pipe = new PlacementPipeline(pack, { pool, device: 'cpu' });
  bg = await png('scene-0-background.png');
  obj = await png('scene-0-object.png');
});
after(async () => {
  await pool.dispose();
  assert.equal(pool.openSessionCount, 0, 'no session left open');
});

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

test('placement pack: found by pipeline, verified, declares a format 2 placement component', () => {
  assert.equal(pack.id, 'lamina-place');
  assert.ok(pack.manifest.pipelines.includes('placement'));
  assert.ok('placement' in pack.manifest.components);
});

test('place: the heatmap is deterministic (bit for bit) and a distribution over (scale, y, x) summing to 1', async () => {
  const a = await pipe.place({ background: bg, object: obj });
  const b = await pipe.place({ background: bg, object: obj });
  assert.deepEqual(Buffer.from(a.volume.values.buffer), Buffer.from(b.volume.values.buffer));
  assert.deepEqual(a.placements, b.placements);
  const c = pipe.component;
  assert.equal(a.volume.values.length, c.scales.length * c.heatmap.width * c.heatmap.height);
  assert.ok(Math.abs(sum(a.volume.values) - 1) < 1e-4, `sums to ${sum(a.volume.values)}`);
  assert.ok(a.volume.values.every((v) => v >= 0 && v <= 1));
  // the scales cover at least 0.5x-2x
  assert.ok(c.scales[0] <= 0.5 + 1e-6 && c.scales.at(-1)! >= 2 - 1e-6, c.scales.join(', '));
  // not collapsed to a flat map: the best cell holds far more than a uniform share
  assert.ok(Math.max(...a.volume.values) > 50 / a.volume.values.length);
});

test('place: top-k best first, at least NMS cells apart, the first = the heatmap maximum', async () => {
  const out = await pipe.place({ background: bg, object: obj, top: 8 });
  assert.equal(out.placements.length, 8);
  for (let k = 1; k < out.placements.length; k++) assert.ok(out.placements[k].score <= out.placements[k - 1].score, `placement ${k} scores above ${k - 1}`);
  assert.equal(out.placements[0].score, Math.max(...out.volume.values));
  const cells = topCells(out.volume, 8);
  for (let a = 0; a < cells.length; a++) {
    for (let b = a + 1; b < cells.length; b++) assert.ok(Math.max(Math.abs(cells[a].i - cells[b].i), Math.abs(cells[a].j - cells[b].j)) >= NMS_CELLS);
  }
});

test('place: a placement puts the scaled object box bottom-centre on its cell (x, y = top-left of the scaled image)', () => {
  const vol: HeatmapVolume = { scales: [0.5, 1, 2], width: 4, height: 4, values: new Float32Array(48) };
  const box = { x0: 10, y0: 20, x1: 30, y1: 60 }; // in a 40 x 64 object image
  const p = cellToPlacement({ s: 2, i: 3, j: 1, score: 0.5 }, vol, { width: 400, height: 200 }, box);
  // cell centre: x (1.5 / 4) * 400 = 150, y (3.5 / 4) * 200 = 175; scale 2
  assert.deepEqual(p, { x: 150 - 2 * 20, y: 175 - 2 * 60, scale: 2, score: 0.5 });
});

test('place: the same top cells as the recipe (Python builds the inputs from the same PNGs)', async () => {
  for (const [k, scene] of expected.scenes.entries()) {
    const b = await png(`scene-${k}-background.png`);
    const o = await png(`scene-${k}-object.png`);
    const input = objectInput(o, b, 32, 0.5);
    assert.deepEqual([input.box.x0, input.box.y0, input.box.x1, input.box.y1], scene.box);
    assert.ok(Math.abs(input.size[0] - scene.object_size[0]) < 1e-6 && Math.abs(input.size[1] - scene.object_size[1]) < 1e-6);
    assert.equal(backgroundInput(b, 128, 128).length, 3 * 128 * 128);
    const out = await pipe.place({ background: b, object: o });
    const cells = topCells(out.volume, 5).map((c) => [c.s, c.i, c.j]);
    assert.deepEqual(cells[0], scene.top_cells[0], `scene ${k}: top-1 cell`);
    assert.ok(Math.abs(out.placements[0].score - scene.top_scores[0]) < 2e-3, `scene ${k}: top-1 score ${out.placements[0].score} vs ${scene.top_scores[0]}`);
  }
});

test('place: hostile objects get clear errors (empty alpha, 1 x 1, larger than the background)', async () => {
  const rgba = (w: number, h: number, a: number): RgbaImage => {
    const data = new Uint8Array(w * h * 4);
    for (let p = 0; p < w * h; p++) data.set([200, 50, 50, a], p * 4);
    return { width: w, height: h, data };
  };
  const expectBad = async (object: RgbaImage, msg: RegExp) => {
    await assert.rejects(pipe.place({ background: bg, object }), (err: unknown) => err instanceof LaminaError && err.code === 'bad_request' && msg.test(err.message));
  };
  await expectBad(rgba(20, 20, 0), /no visible pixels/);
  await expectBad(rgba(1, 1, 255), /1 x 1 px: too small/);
  await expectBad(rgba(bg.width + 10, 20, 255), /larger than the background/);
  // a tiny background
  await assert.rejects(pipe.place({ background: rgba(4, 4, 255), object: rgba(2, 2, 255) }), /too small to place on/);
});

let t: TempEngine;
before(() => (t = tempEngine({ packDirs: [MODELS] })));
after(() => t.dispose());

const finished = (jobId: string) => jobFinished(t.engine, jobId);

test('place task: the object layer over the composite below it; a heatmap artifact, the document unchanged', async () => {
  const doc = await t.engine.call('document.new', { width: 128, height: 128 });
  await t.engine.call('document.import', { docId: doc.docId, path: join(FIXTURES, 'scene-0-background.png') });
  const snap = await t.engine.call('document.import', { docId: doc.docId, path: join(FIXTURES, 'scene-0-object.png') });
  const objectLayer = snap.document.layers[0];
  const before = JSON.stringify(snap.document);
  const { jobId } = await t.engine.call('jobs.start', { task: 'place', docId: doc.docId, spec: { layerId: objectLayer.id, device: 'cpu', top: 3 } });
  const ev = await finished(jobId);
  assert.equal(ev.state, 'done', JSON.stringify(ev));
  const result = ev.result as { landing: string; artifact: { kind: string; width: number; height: number; values: number[]; scale: number; placements: { x: number; y: number; scale: number; score: number }[] } };
  assert.equal(result.landing, 'artifact');
  assert.equal(result.artifact.kind, 'heatmap');
  assert.equal(result.artifact.values.length, result.artifact.width * result.artifact.height);
  assert.equal(result.artifact.scale, 1);
  assert.equal(result.artifact.placements.length, 3);
  // the same answer as the pipeline on the same pixels
  const direct = await pipe.place({ background: bg, object: obj, top: 3 });
  assert.deepEqual(result.artifact.placements.map((p) => [p.x, p.y, p.scale]), direct.placements.map((p) => [p.x, p.y, p.scale]));
  const after = await t.engine.call('document.get', { docId: doc.docId });
  assert.equal(JSON.stringify(after.document), before);
  // a layer without pixels is refused before any job starts
  await assert.rejects(t.engine.call('jobs.start', { task: 'place', docId: doc.docId, spec: { layerId: 'nope' } }), /no layer "nope"/);
});

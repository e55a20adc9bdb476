// Regions as layers ("layers": true): the peeling kernel on a made-up picture, the model
// method with the fixture packs, the task through the engine on the shipped pack (one
// group, one undo step) and `lamina generate --spec` writing the group into .ora and .psd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { GenerationSpecInput } from '../../../../common/contract/generation-spec.ts';
import type { Layer } from '../../../../common/document/document-schema.ts';
import { readDocumentFile } from '../../document/document-files.ts';
import { ImageStore } from '../../imaging/image-store.ts';
import { detachedJobContext } from '../../jobs/job-context.ts';
import { loadPackRegistry, verifyPack } from '../../runtime/pack-registry.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { jobFinished, tempEngine, type TempEngine } from '../../testing/temp-engine.ts';
import { FIXTURE_DECOMPOSE_PACK_DIR, loadFixturePack, loadShippedPack, SHIPPED_PACK_DIR } from '../../testing/test-packs.ts';
import { DecomposePipeline } from '../pipeline-decompose.ts';
import { LayerBindPipeline } from '../pipeline-layerbind.ts';
import { generateRegionsAsLayers, peelRegions, regionDecomposer } from './regions-as-layers.ts';
import '../../runtime/test-quiet-providers.ts';

const W = 48;
const RED = [220, 30, 30, 255], BLUE = [30, 60, 230, 255], WHITE = [250, 250, 250, 255];
/** white, a blue square (back) at 8..28, a red square (front) at 20..40 over it */
function picture() {
  const data = new Uint8Array(W * W * 4);
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
    const inRed = x >= 20 && x < 40 && y >= 20 && y < 40;
    const inBlue = x >= 8 && x < 28 && y >= 8 && y < 28;
    data.set(inRed ? RED : inBlue ? BLUE : WHITE, (y * W + x) * 4);
  }
  return { width: W, height: W, data };
}
const at = (im: { data: Uint8Array }, x: number, y: number) => [...im.data.subarray((y * W + x) * 4, (y * W + x) * 4 + 4)];

test('peel front to back (inpaint): the front region\'s layer holds red, the back one\'s blue (where red hid it, nothing), the background neither', async () => {
  const regions = [{ id: 'b', box: [8, 8, 20, 20] as [number, number, number, number], prompt: 'a blue square' }, { id: 'r', box: [20, 20, 20, 20] as [number, number, number, number], prompt: 'a red square' }];
  const out = await peelRegions(picture(), regions, ['r', 'b'], new DecomposePipeline(null));
  assert.equal(out.method, 'inpaint');
  assert.deepEqual(out.regions.map((r) => r.id), ['r', 'b'], 'front first');
  const [red, blue] = out.regions.map((r) => r.image);
  assert.deepEqual(at(red, 30, 30), RED);
  assert.equal(at(red, 10, 10)[3], 0, 'outside its box the front layer is empty');
  assert.deepEqual(at(blue, 10, 10), BLUE);
  assert.equal(at(blue, 30, 30)[3], 0, 'outside its box the back layer is empty');
  // where red covered blue, the back layer holds what the inpainting put there: not red
  const hidden = at(blue, 24, 24);
  assert.equal(hidden[3], 255);
  assert.ok(hidden[0] < 200, `the back layer does not carry the front object: ${hidden}`);
  for (const [x, y] of [[10, 10], [30, 30], [24, 24], [45, 45]]) {
    const [r, g, b] = at(out.background, x, y);
    assert.ok(r > 150 && g > 150 && b > 150, `the background at ${x},${y} is the white around the objects: ${r},${g},${b}`);
  }
  await assert.rejects(peelRegions(picture(), [{ id: 'x', box: [60, 60, 5, 5], prompt: 'a red star' }], ['x'], new DecomposePipeline(null)), /region "a red star": the box 60,60,5,5 lies outside/);
});

test('the model method when a pack lists decompose: the fixture decomposition pack peels a fixture-pack LayerBind picture', async () => {
  const registry = await loadPackRegistry([dirname(FIXTURE_DECOMPOSE_PACK_DIR)]);
  assert.equal(regionDecomposer(registry, 'cpu').pack?.id, 'fixture-tiny-decompose');
  assert.equal(regionDecomposer(await loadPackRegistry([]), 'cpu').pack, null, 'no decomposition pack: inpaint');
  const pool = new SessionPool();
  try {
    const spec = {
      prompt: 'a large red star and a small blue circle on a white background', width: 64, height: 64, seed: 3, steps: 2, device: 'cpu' as const, layers: true,
      regions: [{ id: 'a', box: [4, 4, 30, 30] as [number, number, number, number], prompt: 'a large red star' }, { id: 'b', box: [30, 30, 28, 28] as [number, number, number, number], prompt: 'a small blue circle' }], order: ['b', 'a'],
    };
    const res = await generateRegionsAsLayers(new LayerBindPipeline(await loadFixturePack(), { pool }), spec, detachedJobContext(), new DecomposePipeline(await verifyPack(FIXTURE_DECOMPOSE_PACK_DIR), { pool, device: 'cpu' }));
    assert.deepEqual(res.layers.map((l) => l.name), ['a small blue circle', 'a large red star', 'Background'], 'front first');
    assert.ok(res.group?.name);
    assert.ok(res.layers.every((l) => l.width === 64 && l.height === 64));
    assert.deepEqual(res.layers.map((l) => (l.provenance.params.decompose as { method: string }).method), ['model', 'model', 'model']);
    assert.ok(res.notes.includes('regions landed as layers (model method)'));
  } finally {
    await pool.dispose();
  }
});

const shipped = await loadShippedPack();
const SKIP = 'skip' in shipped ? shipped.skip : false;
let t: TempEngine;
before(() => { if (!SKIP) t = tempEngine({ packDirs: [dirname(SHIPPED_PACK_DIR)] }); });
after(() => t?.dispose());

const spec = (extra: object = {}): GenerationSpecInput => ({
  prompt: 'a large red square and a large blue circle on a white background', width: 128, height: 128, seed: 11, steps: 6, device: 'cpu',
  regions: [{ id: 'sq', box: [10, 20, 60, 60], prompt: 'a large red square' }, { id: 'ci', box: [56, 50, 60, 60], prompt: 'a large blue circle' }], order: ['ci', 'sq'], layers: true, ...extra,
});

test('"layers": true through the engine (shipped packs: lamina-tiny, lamina-decomp): one group of a layer per region, front first, over the background, in one undo step', { skip: SKIP }, async () => {
  const doc = await t.engine.call('document.new', { width: 128, height: 128 });
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec() });
  const ev = await jobFinished(t.engine, jobId);
  assert.equal(ev.state, 'done', ev.message);
  const after = (await t.engine.call('document.get', { docId: doc.docId })).document;
  assert.equal(after.layers.length, 1);
  const group = after.layers[0] as Extract<Layer, { kind: 'group' }>;
  assert.equal(group.kind, 'group');
  assert.deepEqual(group.children.map((l) => l.name), ['a large blue circle', 'a large red square', 'Background']);
  assert.ok(group.children.every((l) => l.kind === 'raster'));
  assert.equal(group.children[0].provenance?.params.decompose?.method, 'model', 'the shipped decomposition model (models/lamina-decomp) peels the regions');
  const undone = (await t.engine.call('document.undo', { docId: doc.docId })).document;
  assert.equal(undone.layers.length, 0, 'one undo step');
  for (const [extra, message] of [[{ regions: [], order: [] }, /draw at least one region/], [{ batch: 2 }, /leave out "batch"/]] as const) {
    const bad = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(extra) });
    const failed = await jobFinished(t.engine, bad.jobId);
    assert.equal(failed.state, 'failed');
    assert.match(failed.message!, message);
  }
});

test('lamina generate --spec with "layers": true writes the group into .ora and .psd', { skip: SKIP }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-layers-'));
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec({ steps: 4 })));
  const bin = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'lamina.mjs');
  for (const ext of ['ora', 'psd']) {
    const out = join(dir, `scene.${ext}`);
    const r = spawnSync(process.execPath, [bin, 'generate', '--spec', specPath, '--out', out, '--json'], { encoding: 'utf8', env: { ...process.env, LAMINA_HOME: dir } });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.ok(JSON.parse(r.stdout).group, 'the summary names the group');
    const doc = await readDocumentFile({ path: out }, new ImageStore());
    const group = doc.layers[0] as Extract<Layer, { kind: 'group' }>;
    assert.equal(group.kind, 'group', `${ext}: the top layer is the group`);
    assert.deepEqual(group.children.map((l) => l.name), ['a large blue circle', 'a large red square', 'Background'], ext);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenerationResult } from '../../../common/contract/task-results.ts';
import type { GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import { ObjectJudge } from '../evaluation/object-judge.ts';
import { loadWorldSpec } from '../evaluation/world-spec.ts';
import { pixelDigest } from '../testing/pixel-digest.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { FIXTURE_PACK_DIR as FIXTURE, loadFixturePack, loadShippedPack } from '../testing/test-packs.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import '../runtime/test-quiet-providers.ts';
import { collectingContext, conformance } from './conformance.ts';
import { scoreLayout, type Layout } from './layerbind/measure-layerbind.ts';
import { regionGrids } from './layerbind/region-masks.ts';
import { LayerBindPipeline, type LayerBindMode, type LayerBindOptions } from './pipeline-layerbind.ts';
import { findPipeline } from './pipeline-registry.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';

const fixture = await loadFixturePack();
const real = await loadShippedPack();

// two overlapping regions: star (front) over circle (back); they overlap in [24, 24, 12, 12]
const spec = {
  prompt: 'a large red star and a small blue circle on a green background', width: 64, height: 64, seed: 7, steps: 4, guidance: 4, device: 'cpu' as const,
  regions: [
    { id: 'star', box: [4, 4, 32, 32] as [number, number, number, number], prompt: 'a large red star' },
    { id: 'circle', box: [24, 24, 36, 36] as [number, number, number, number], prompt: 'a small blue circle' },
  ],
  order: ['star', 'circle'],
} satisfies GenerationSpecInput;
const badSpecs = [
  { spec: { ...spec, steps: 0 }, code: 'bad_request', message: /steps/ },
  { spec: { ...spec, regions: [spec.regions[0], { ...spec.regions[1], box: [40, 40, 30, 10] }] }, code: 'bad_request', message: /region 2 "circle": box \[40, 40, 30, 10\].*outside the 64x64 canvas/ },
  { spec: { ...spec, regions: [spec.regions[0], { ...spec.regions[1], prompt: ' ' }] }, code: 'bad_request', message: /region 2 "circle": prompt is empty/ },
  { spec: { ...spec, regions: [spec.regions[0], { ...spec.regions[1], id: 'star' }] }, code: 'bad_request', message: /duplicate region id "star"/ },
  { spec: { ...spec, order: ['star'] }, code: 'bad_request', message: /order must list every region front to back; missing "circle"/ },
  { spec: { ...spec, order: ['star', 'circle', 'moon'] }, code: 'bad_request', message: /order lists "moon", which is not a region id/ },
  { spec: { ...spec, regions: [spec.regions[0], { ...spec.regions[1], prompt: 'a small blue circel' }] }, code: 'bad_request', message: /region "circle": .*"circel" \(closest: circle/ },
  { spec: { ...spec, regions: [], order: [] }, code: 'bad_request', message: /at least one region/ },
];
const make = (opts: LayerBindOptions) => (pack: Pack, pool: SessionPool) => new LayerBindPipeline(pack, { pool, ...opts });

conformance({ name: 'layerbind on fixture-tiny', pack: fixture, make: make({}), spec, badSpecs });
conformance({ name: 'layerbind (regional-mask baseline) on fixture-tiny', pack: fixture, make: make({ mode: 'regional-mask' }), spec, badSpecs: badSpecs.slice(0, 2) });
conformance({ name: 'layerbind on lamina-tiny', pack: real, make: make({}), spec: { ...spec, width: 128, height: 128, regions: spec.regions.map((r) => ({ ...r, box: r.box.map((v) => v * 2) as [number, number, number, number] })) }, badSpecs: badSpecs.slice(0, 2) });

async function withPool<T>(fn: (pool: SessionPool) => Promise<T>): Promise<T> {
  const pool = new SessionPool();
  try {
    return await fn(pool);
  } finally {
    await pool.dispose();
  }
}

test('layerbind: registered for its task; the result matches the contract with per-region provenance', () => withPool(async (pool) => {
  const listed: Pack = { ...fixture, manifest: { ...fixture.manifest, pipelines: [...fixture.manifest.pipelines, 'layerbind'] } };
  assert.ok(findPipeline(listed, 'layerbind') instanceof LayerBindPipeline);
  const { ctx, events } = collectingContext();
  const wide = { ...spec, width: 96, height: 48, regions: [{ ...spec.regions[0], box: [4, 4, 30, 30] as [number, number, number, number] }, { ...spec.regions[1], box: [30, 10, 40, 36] as [number, number, number, number] }] };
  const r = await new LayerBindPipeline(fixture, { pool, previewEvery: 2 }).run(wide, ctx);
  const parsed = GenerationResult.safeParse(r);
  assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
  const p = r.layers[0].provenance;
  assert.equal(p.pipeline, 'layerbind');
  assert.deepEqual(p.regions, wide.regions);
  assert.deepEqual(p.order, ['star', 'circle']);
  // the phases as noise levels are recorded with the steps they became
  assert.deepEqual(p.params.layerbind, { mode: 'layerbind', fuseStep: 1, nursingSteps: 1, schedule: 'cosine', strength: 1, fuseSigma: 0.9, nursingEndSigma: 0.7, maskThreshold: 0.5, sharedUncond: true, branchPooling: 'region' });
  assert.match(r.notes.join(' '), /resampled to 96x48 .*region boxes were mapped through the same crop/);
  assert.equal(events.filter((e) => e.preview).length, 1);
  // work per run: phase 1 (1 step x (3 branches + 1 shared uncond)), nursing (1 x 4), global (2 x 2)
  assert.deepEqual([r.timings.network_calls, r.timings.batch_items], [4, 12]);
}));

test('layerbind: mode "global" is text-to-image (same seed, same bytes); the three modes differ', () => withPool(async (pool) => {
  const ctx = () => collectingContext().ctx;
  const t2i = await new TextToImagePipeline(fixture, { pool, previewEvery: 0 }).run(spec, ctx());
  const png = async (opts: LayerBindOptions) => pixelDigest((await new LayerBindPipeline(fixture, { pool, previewEvery: 0, ...opts }).run(spec, ctx())).layers[0]);
  const [global, regional, layerbind] = [await png({ mode: 'global' }), await png({ mode: 'regional-mask' }), await png({})];
  assert.equal(global, pixelDigest(t2i.layers[0]));
  assert.notEqual(regional, global);
  assert.notEqual(layerbind, global);
  assert.notEqual(layerbind, regional);
  // layerbind with no phases at all (fuseStep 0, no nursing) is the global path too
  assert.equal(await png({ fuseStep: 0, nursingSteps: 0 }), global);
  // and strength 0 turns nursing off, but phase 1 still shapes the layout
  assert.notEqual(await png({ fuseStep: 1, strength: 0 }), global);
  // the branches' text: region prompt alone (default) or global + region
  assert.notEqual(await png({ branchPooling: 'global+region' }), layerbind);
  await assert.rejects(png({ branchPooling: 'both' as never }), /branchPooling must be 'region' or 'global\+region'/);
  await assert.rejects(png({ mode: 'bogus' as never }), /mode must be one of layerbind, regional-mask, global/);
  // the parameters may ride on the spec (lamina generate --spec) and override the options
  const onSpec = async (layerbind: unknown) => pixelDigest((await new LayerBindPipeline(fixture, { pool, previewEvery: 0 }).run({ ...spec, layerbind } as GenerationSpecInput, ctx())).layers[0]);
  assert.equal(await onSpec({ mode: 'global' }), global);
  assert.equal(await onSpec({ mode: 'regional-mask' }), regional);
  await assert.rejects(onSpec({ fuseStep: -1 }), /generation spec: layerbind.*fuseStep/);
  await assert.rejects(onSpec({ fuse: 2 }), /generation spec: layerbind.*fuse/);
  await assert.rejects(png({ fuseStep: 4 }), /fuseStep must be an integer in \[0, 3\]/);
}));

test('layerbind: instance branches keep the background outside their region; swapping the order changes the fused latent inside the overlap only', () => withPool(async (pool) => {
  type Fuse = { background: Float32Array; branches: Float32Array[]; fused: Float32Array; backToFront: number[] };
  const run = async (order: string[]) => {
    let fuse: Fuse | null = null;
    const r = await new LayerBindPipeline(fixture, { pool, previewEvery: 0, fuseStep: 2, onFuse: (f) => (fuse = { ...f, fused: Float32Array.from(f.fused) }) }).run({ ...spec, order }, collectingContext().ctx);
    return { fuse: fuse! as Fuse, png: pixelDigest(r.layers[0]) };
  };
  const a = await run(['star', 'circle']); // star in front
  const b = await run(['circle', 'star']); // circle in front
  assert.deepEqual(a.fuse.backToFront, [1, 0]);
  assert.deepEqual(b.fuse.backToFront, [0, 1]);
  // phase 1 does not depend on the order: same background and branches
  assert.deepEqual(a.fuse.background, b.fuse.background);
  a.fuse.branches.forEach((x, r) => assert.deepEqual(x, b.fuse.branches[r]));
  const { latentAlphas } = regionGrids(spec.regions, spec, { width: 64, height: 64 }, { width: 8, height: 8 }, { width: 4, height: 4 });
  const plane = 64;
  const channels = a.fuse.fused.length / plane;
  let overlap = 0;
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      const k = c * plane + p;
      const [as, ac] = [latentAlphas[0][p], latentAlphas[1][p]];
      // anchoring: outside its region a branch IS the background
      if (as === 0) assert.equal(a.fuse.branches[0][k], a.fuse.background[k]);
      if (ac === 0) assert.equal(a.fuse.branches[1][k], a.fuse.background[k]);
      if (as > 0 && ac > 0) {
        overlap++;
        if (as === 1 && ac === 1) {
          assert.equal(a.fuse.fused[k], a.fuse.branches[0][k], 'star in front wins the overlap');
          assert.equal(b.fuse.fused[k], b.fuse.branches[1][k], 'circle in front wins the overlap');
          assert.notEqual(a.fuse.fused[k], b.fuse.fused[k]);
        }
      } else {
        assert.equal(a.fuse.fused[k], b.fuse.fused[k], `outside the overlap the order changes nothing (channel ${c}, pixel ${p})`);
      }
    }
  }
  assert.ok(overlap > 0);
  assert.notEqual(a.png, b.png, 're-binding the order changes the image');
}));

test('layerbind: sharedUncond false guides every branch against its own unconditional item', () => withPool(async (pool) => {
  const r = await new LayerBindPipeline(fixture, { pool, previewEvery: 0, sharedUncond: false }).run(spec, collectingContext().ctx);
  // phase 1 (1 x 6) + nursing (1 x 6) + global (2 x 2)
  assert.equal(r.timings.batch_items, 16);
  const shared = await new LayerBindPipeline(fixture, { pool, previewEvery: 0 }).run(spec, collectingContext().ctx);
  assert.notEqual(pixelDigest(r.layers[0]), pixelDigest(shared.layers[0]));
}));

test('layerbind: without guidance (guidance 1) every branch is one item and there is no unconditional pass', () => withPool(async (pool) => {
  const r = await new LayerBindPipeline(fixture, { pool, previewEvery: 0 }).run({ ...spec, guidance: 1 }, collectingContext().ctx);
  // phase 1 (1 x 3) + nursing (1 x 3) + global (2 x 1)
  assert.equal(r.timings.batch_items, 8);
  assert.ok(GenerationResult.safeParse(r).success);
}));

test('layerbind: nursing changes the update inside the regions only (one step, full opacity)', () => withPool(async (pool) => {
  const first = async (opts: LayerBindOptions) => {
    let x: Float32Array | null = null;
    await new LayerBindPipeline(fixture, { pool, previewEvery: 0, ...opts, onStepEnd: (s) => { if (s.i === 0) x = Float32Array.from(s.latents); } }).run({ ...spec, steps: 2 }, collectingContext().ctx);
    return x! as Float32Array;
  };
  const global = await first({ mode: 'global' });
  const nursed = await first({ fuseStep: 0, nursingSteps: 1, schedule: 'constant' });
  const { latentAlphas } = regionGrids(spec.regions, spec, { width: 64, height: 64 }, { width: 8, height: 8 }, { width: 4, height: 4 });
  let inside = 0;
  let maxOutside = 0;
  for (let k = 0; k < global.length; k++) {
    const p = k % 64;
    if (latentAlphas[0][p] === 0 && latentAlphas[1][p] === 0) maxOutside = Math.max(maxOutside, Math.abs(global[k] - nursed[k]));
    else if (Math.abs(global[k] - nursed[k]) > 1e-4) inside++;
  }
  assert.ok(maxOutside < 1e-5, `outside every region the global path's update stands (max diff ${maxOutside})`);
  assert.ok(inside > 0, 'inside the regions the layered path changed the update');
}));

test('layerbind on the shipped pack: the overlap follows the stacking order on most seeds; the regional-mask baseline ignores the order', { skip: 'skip' in real ? real.skip : false }, () => withPool(async (pool) => {
  const pack = real as Pack;
  const world = loadWorldSpec(join(pack.dir, 'world.json'));
  const templates = JSON.parse(readFileSync(fileURLToPath(new URL('../evaluation/shape-templates.json', import.meta.url)), 'utf8'));
  const judge = new ObjectJudge(world, templates);
  const objects = { a: { colour: 'red', shape: 'circle', size: 'large' }, b: { colour: 'blue', shape: 'square', size: 'large' } };
  const boxes = { a: [16, 24, 64, 64], b: [48, 40, 64, 64] } as Record<'a' | 'b', [number, number, number, number]>;
  const occlusion = async (mode: LayerBindMode, seed: number, order: ('a' | 'b')[]) => {
    const layout: Layout = {
      seed, background: 'on a white background', prompt: 'a large red circle and a large blue square on a white background', order,
      regions: (['a', 'b'] as const).map((id) => ({ id, box: boxes[id], prompt: `a large ${objects[id].colour} ${objects[id].shape}`, object: objects[id] })),
    };
    const r = await new LayerBindPipeline(pack, { pool, previewEvery: 0, mode }).run({
      prompt: layout.prompt, width: 128, height: 128, seed, steps: 20, guidance: 4, device: 'cpu',
      regions: layout.regions.map(({ id, box, prompt }) => ({ id, box, prompt })), order,
    }, collectingContext().ctx);
    const img = { width: r.layers[0].width, height: r.layers[0].height, data: r.layers[0].rgba };
    // lenient occlusion (front colour out-counts the back colour in the overlap box): the
    // shipped 0.3.0 pack draws blobs, so the strict metric's contested shape pixels say
    // little here; tighten to `.occlusion` with a pack that draws shapes (issue 10)
    return { front: scoreLayout(judge, world, templates, img, layout).occlusionLenient[0], png: pixelDigest(r.layers[0]) };
  };
  let layerbind = 0;
  let n = 0;
  for (let seed = 1; seed <= 6; seed++) {
    for (const order of [['a', 'b'], ['b', 'a']] as ('a' | 'b')[][]) {
      layerbind += (await occlusion('layerbind', seed, order)).front;
      n++;
    }
    const [ab, ba] = [await occlusion('regional-mask', seed, ['a', 'b']), await occlusion('regional-mask', seed, ['b', 'a'])];
    assert.equal(ab.png, ba.png, `seed ${seed}: plain regional prompting has no notion of order`);
  }
  // measured 24/24 on seeds 1-12 (packs 0.1.0 and 0.2.0; 0.3.0 passes this check); a pack that loses the binding drops to about half
  assert.ok(layerbind >= n - 1, `front region visible in the overlap: ${layerbind}/${n}`);
}));

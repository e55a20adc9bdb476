import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec, collectRegions, randomSeed } from './generation.ts';
import { GenerationSpec } from '../../../common/contract/generation-spec.ts';
import type { LaminaDocument } from '../../../common/document/document-schema.ts';
import { DEFAULT_REGION_METHOD } from './generate-settings.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };
const doc: LaminaDocument = {
  formatVersion: 1, name: 'd', width: 512, height: 256,
  layers: [
    { ...base, id: 'r1', name: 'r1', kind: 'region', x: 10, y: 10, prompt: 'a red circle', color: '#ff0000', shape: { type: 'box', width: 100, height: 50 } },
    { ...base, id: 'img', name: 'img', kind: 'raster', imageId: 'i', x: 0, y: 0, width: 5, height: 5 },
    { ...base, id: 'r2', name: 'r2', kind: 'region', x: 480, y: -20, prompt: 'sky', color: '#00ff00', shape: { type: 'mask', width: 100, height: 100, maskImageId: 'm' } },
    { ...base, id: 'r3', name: 'r3', kind: 'region', x: 0, y: 0, prompt: 'hidden', color: '#00ff00', visible: false, shape: { type: 'box', width: 10, height: 10 } },
  ],
};

test('regions are collected front to back, clipped to the canvas, hidden ones skipped', () => {
  assert.deepEqual(collectRegions(doc), [
    { id: 'r1', box: [10, 10, 100, 50], prompt: 'a red circle' },
    { id: 'r2', box: [480, 0, 32, 80], prompt: 'sky' },
  ]);
});

test('buildSpec yields a spec the contract accepts, with the stack order', () => {
  const spec = buildSpec(doc, { prompt: 'flat scene', seed: 7, seedLocked: true, steps: 12, guidance: 3.5, packId: 'lamina-tiny' });
  const parsed = GenerationSpec.parse(spec);
  assert.deepEqual(parsed.order, ['r1', 'r2']);
  assert.equal(parsed.width, 512);
  assert.equal(parsed.packId, 'lamina-tiny');
});

test('buildSpec: the region method rides along only with regions, and only what differs from the defaults', () => {
  const gen = { prompt: 'flat scene', seed: 7, seedLocked: true, steps: 12, guidance: 3.5, packId: null };
  assert.equal(buildSpec(doc, { ...gen, regionMethod: DEFAULT_REGION_METHOD }).layerbind, undefined, 'defaults: the pipeline decides');
  const tuned = buildSpec(doc, { ...gen, regionMethod: { ...DEFAULT_REGION_METHOD, fuseStep: 3, schedule: 'linear', strength: 0.5 } });
  assert.deepEqual(GenerationSpec.parse(tuned).layerbind, { fuseStep: 3, schedule: 'linear', strength: 0.5 });
  const baseline = buildSpec(doc, { ...gen, regionMethod: { ...DEFAULT_REGION_METHOD, mode: 'regional-mask', fuseStep: 3 } });
  assert.deepEqual(GenerationSpec.parse(baseline).layerbind, { mode: 'regional-mask' }, 'LayerBind parameters do not apply to a baseline');
  const noRegions = { ...doc, layers: doc.layers.filter((l) => l.kind !== 'region') };
  assert.equal(buildSpec(noRegions, { ...gen, regionMethod: { ...DEFAULT_REGION_METHOD, mode: 'global' } }).layerbind, undefined);
});

test('randomSeed stays in uint32', () => {
  assert.equal(randomSeed(() => 0.999999999999), 4294967295);
  assert.equal(randomSeed(() => 0), 0);
});

test('no silent clamps: a canvas past the generation limit is refused with a message; values pass through as typed', async () => {
  const { generationSizeProblem } = await import('./generation.ts');
  assert.equal(generationSizeProblem({ width: 4096, height: 1024 }), null);
  assert.match(generationSizeProblem({ width: 8000, height: 600 }) ?? '', /Generation size 8000 px is past the maximum 4096 px: this 8000 × 600 canvas/);
  const spec = buildSpec({ ...doc, width: 9000 }, { prompt: '', seed: 7, seedLocked: true, steps: 3000, guidance: 4, packId: null });
  assert.equal(spec.width, 9000, 'not clamped to 4096');
  assert.equal(spec.steps, 3000, 'not clamped to 200');
  assert.equal(GenerationSpec.safeParse(spec).success, false, 'and the contract refuses it');
  assert.equal(buildSpec(doc, { prompt: '', seed: 7, seedLocked: true, steps: 4, guidance: 4, packId: null, upscale: 'nearest' }).upscale, 'nearest');
});

test('buildSpec: "Land as layers" asks for layers only when there are regions', () => {
  const gen = { prompt: 'flat scene', seed: 7, seedLocked: true, steps: 12, guidance: 3.5, packId: null, layers: true };
  assert.equal(GenerationSpec.parse(buildSpec(doc, gen)).layers, true);
  assert.equal(buildSpec(doc, { ...gen, layers: false }).layers, undefined);
  assert.equal(buildSpec({ ...doc, layers: [] }, gen).layers, undefined, 'no regions: a plain generation');
});

test('buildSpec: the pack\'s LoRA adapters ride along at the slider\'s strength (the default until it moves); none without adapters', () => {
  const gen = { prompt: 'flat scene', seed: 7, seedLocked: true, steps: 12, guidance: 3.5, packId: 'p' };
  const adapters = [{ id: 'text-lora', defaultStrength: 0.8, blocks: [2] }];
  assert.equal(buildSpec(doc, gen).adapters, undefined);
  assert.equal(buildSpec(doc, gen, []).adapters, undefined);
  assert.deepEqual(GenerationSpec.parse(buildSpec(doc, gen, adapters)).adapters, [{ id: 'text-lora', strength: 0.8 }]);
  assert.deepEqual(GenerationSpec.parse(buildSpec(doc, { ...gen, adapterStrengths: { 'text-lora': 0 } }, adapters)).adapters, [{ id: 'text-lora', strength: 0 }]);
});

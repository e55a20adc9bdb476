// Byte-identical outputs: text-to-image and LayerBind (every mode) on the fixture pack and
// the shipped pack must keep producing the same PNG bytes (and the same previews) for
// fixed seeds. Results carry raw RGBA; the PNG hashed is what export writes for it. The hashes in fixtures/golden-png.json were recorded from the pipelines as
// they were before the shared denoising steps (pipelines/steps/) replaced their loops.
// A pack whose graphs changed (retrained) has no recorded hashes: re-record with
//   LAMINA_RECORD_GOLDEN=1 node --import tsx --test main/engine/pipelines/pipeline-golden.test.ts
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import type { GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import { encodePng } from '../imaging/image-codec.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import '../runtime/test-quiet-providers.ts';
import { loadFixturePack, loadShippedPack } from '../testing/test-packs.ts';
import { collectingContext } from './conformance.ts';
import { LayerBindPipeline, type LayerBindOptions } from './pipeline-layerbind.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';

const GOLDEN = fileURLToPath(new URL('./fixtures/golden-png.json', import.meta.url));
const RECORD = process.env.LAMINA_RECORD_GOLDEN === '1';

interface Outcome {
  png: string;
  previews: string[];
}
interface Golden {
  [packKey: string]: { graphs: Record<string, string>; cases: Record<string, Outcome> };
}

const sha = (b64: string) => createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex');
/** the pack's build: the sha256 of each graph file, so a retrained pack is told apart */
const graphHashes = (pack: Pack) =>
  Object.fromEntries(Object.entries(pack.manifest.graphs).map(([name, g]) => [name, pack.manifest.files[g.file].sha256]));

const golden: Golden = existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, 'utf8')) : {};
const pool = new SessionPool();
const packs = [['fixture', await loadFixturePack(), 64], ['shipped', await loadShippedPack(), 128]] as const;
after(async () => {
  await pool.dispose();
  if (RECORD) writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 1)}\n`);
});

type Case = { name: string; spec: GenerationSpecInput; layerbind?: LayerBindOptions };

function cases(side: number): Case[] {
  const k = side / 64;
  const box = (x: number, y: number, w: number, h: number) => [x * k, y * k, w * k, h * k] as [number, number, number, number];
  const base = { prompt: 'a large red star and a small blue circle on a green background', width: side, height: side, seed: 7, steps: 6, guidance: 4, device: 'cpu' as const };
  const regions = { regions: [{ id: 'star', box: box(4, 4, 32, 32), prompt: 'a large red star' }, { id: 'circle', box: box(24, 24, 36, 36), prompt: 'a small blue circle' }], order: ['star', 'circle'] };
  return [
    { name: 't2i', spec: base },
    { name: 't2i seed 11 no cfg', spec: { ...base, seed: 11, guidance: 1 } },
    { name: 't2i resampled 96x48', spec: { ...base, width: 96 * k, height: 48 * k } },
    { name: 'layerbind', spec: { ...base, ...regions }, layerbind: {} },
    { name: 'layerbind order swapped, global+region, fuse 2', spec: { ...base, ...regions, order: ['circle', 'star'] }, layerbind: { fuseStep: 2, branchPooling: 'global+region', schedule: 'linear' } },
    { name: 'layerbind own uncond, no cfg', spec: { ...base, ...regions, guidance: 1 }, layerbind: { sharedUncond: false } },
    { name: 'layerbind own uncond', spec: { ...base, ...regions }, layerbind: { sharedUncond: false } },
    { name: 'regional-mask', spec: { ...base, ...regions }, layerbind: { mode: 'regional-mask', regionalSteps: 4 } },
    { name: 'global', spec: { ...base, ...regions }, layerbind: { mode: 'global' } },
  ];
}

async function runCase(pack: Pack, c: Case): Promise<Outcome> {
  const { ctx, events } = collectingContext();
  const r = c.layerbind
    ? await new LayerBindPipeline(pack, { pool, previewEvery: 2, ...c.layerbind }).run(c.spec, ctx)
    : await new TextToImagePipeline(pack, { pool, previewEvery: 2 }).run(c.spec, ctx);
  return { png: sha(Buffer.from(await encodePng({ width: r.layers[0].width, height: r.layers[0].height, data: r.layers[0].rgba })).toString('base64')), previews: events.filter((e) => e.preview).map((e) => sha(e.preview!)) };
}

for (const [label, pack, side] of packs) {
  const skip = 'skip' in pack ? pack.skip : false;
  const key = 'skip' in pack ? label : `${pack.id}@${pack.manifest.version}`;
  const graphs = 'skip' in pack ? {} : graphHashes(pack);
  const recorded = golden[key];
  const sameBuild = recorded && JSON.stringify(recorded.graphs) === JSON.stringify(graphs);
  const why = skip || (!RECORD && !sameBuild && `no golden hashes recorded for this build of ${key} (re-record: see this file's header)`);
  test(`golden PNGs on the ${label} pack (${key}): text-to-image and LayerBind bytes unchanged`, { skip: why }, async () => {
    const p = pack as Pack;
    if (RECORD) golden[key] = { graphs, cases: {} };
    for (const c of cases(side)) {
      const got = await runCase(p, c);
      if (RECORD) golden[key].cases[c.name] = got;
      else assert.deepEqual(got, golden[key].cases[c.name], `${c.name}: output bytes changed`);
    }
  });
}

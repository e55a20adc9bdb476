// Issue 15 in a real browser: a converted diffusers pack in the editor. before() converts
// the tiny random SD3 diffusers folder (models/recipes/tiny_diffusers.py ->
// convert_diffusers.py, cached under .cache/realpacks/ like the parity test) and hands its
// folder to the server with LAMINA_PACKS; the test picks it in the Generate panel's pack
// picker, generates on a 64 x 64 canvas (a multiple of the pack's step: generated at that
// size), checks the layer carries the pack's provenance, then draws a region and runs
// LayerBind on the same pack and seed. Skips (and says why) without Debian chromium or
// without the converter's Python requirements. Screenshots: e2e/artifacts/real-pack/.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import type { Layer } from '../common/document/document-schema.ts';
import { realPackPythonMissing, tinyRealPack } from '../main/engine/testing/real-packs.ts';
import { suiteEditor, type EditorPage, type EditorSession } from './editor-page.ts';
import type { WsContract } from './harness.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : realPackPythonMissing() ?? false;
const PACK_ID = 'tiny-sd3';
const SIZE = 64;
const SEED = 5;

// registered before suiteEditor's before(): the pack exists and LAMINA_PACKS names it when the server starts
before(() => {
  if (SKIP) return;
  process.env.LAMINA_PACKS = dirname(tinyRealPack('sd3').pack);
}, { timeout: 300_000 });
const suite = suiteEditor('real-pack', SKIP);

let session: EditorSession;
let page: Page;
let ed: EditorPage;
let contract: WsContract;

async function layerPixels(docId: string, layer: Layer): Promise<Uint8Array> {
  assert.ok(layer.kind === 'raster', `generated layer is raster, got ${layer.kind}`);
  const img = await contract.call('document.image', { docId, imageId: layer.imageId });
  assert.deepEqual([img.width, img.height], [SIZE, SIZE]);
  return new Uint8Array(img.rgba);
}

test('real pack: pick the converted SD3 pack, generate a layer with its provenance, then a LayerBind region run', { skip: SKIP, timeout: 300_000 }, async (t) => {
  session = suite.session; // opened by suiteEditor's before()
  ({ page, ed, contract } = session);

  await t.test('the picker lists the converted pack with its facts; picking it shows the size it generates at', async () => {
    const packs = await contract.call('models.list', {});
    const summary = packs.find((p) => p.id === PACK_ID);
    assert.ok(summary?.ok, `the server lists ${PACK_ID}: ${JSON.stringify(summary)}`);
    assert.deepEqual([summary.family, summary.version, summary.pipelines], ['sd3', 'converted', ['text-to-image', 'layerbind', 'text-edit']]);
    await ed.newDocument(SIZE, SIZE);
    await page.locator('[data-testid=canvas]').focus();
    await page.keyboard.press('Control+0');
    const option = page.locator(`[data-testid=pack-select] option[value=${PACK_ID}]`);
    await option.waitFor({ state: 'attached' });
    assert.match(await option.innerText(), /^tiny-sd3 converted · sd3 · 32×32 · fp32 · ~0\.\d\d GiB · verified$/);
    await page.selectOption('[data-testid=pack-select]', PACK_ID);
    await page.waitForFunction((id) => document.querySelector('[data-testid=gen-native]')?.textContent?.startsWith(id) ?? false, PACK_ID);
    assert.equal(await page.innerText('[data-testid=gen-native]'), `${PACK_ID} generates at ${SIZE} × ${SIZE} (this canvas: no enlarging)`);
  });

  let plain: Uint8Array;
  await t.test('Generate: one layer from the converted pack, with its provenance', async () => {
    await page.fill('[data-testid=gen-prompt]', 'a large red circle');
    await page.fill('[data-testid=gen-seed]', String(SEED));
    await page.fill('[data-testid=gen-steps]', '4');
    await page.fill('[data-testid=gen-guidance]', '4');
    await ed.shot('pack-picked');
    const { added } = await ed.generateWith('gen-button');
    assert.equal(added.length, 1, 'one layer');
    const prov = added[0].provenance;
    assert.ok(prov, 'the layer carries provenance');
    assert.deepEqual(
      [prov.packId, prov.packVersion, prov.pipeline, prov.prompt, prov.seed, prov.steps, prov.guidance, prov.native],
      [PACK_ID, 'converted', 'text-to-image', 'a large red circle', SEED, 4, 4, { width: SIZE, height: SIZE }],
    );
    const layer = added[0];
    assert.ok(layer.kind === 'raster', `generated layer is raster, got ${layer.kind}`);
    assert.deepEqual([layer.x, layer.y, layer.width, layer.height], [0, 0, SIZE, SIZE]);
    plain = await layerPixels((await ed.view()).docId, layer);
    const distinct = new Set<number>();
    for (let p = 0; p < SIZE * SIZE; p++) distinct.add((plain[p * 4] << 16) | (plain[p * 4 + 1] << 8) | plain[p * 4 + 2]);
    assert.ok(distinct.size > 100, `an image, not a flat fill: ${distinct.size} colours`);
    await page.waitForTimeout(300);
    await ed.shot('generated');
  });

  await t.test('LayerBind: a region on the same pack and seed; the composite records the pack and the region, and differs', async () => {
    await ed.drawRegion([8, 8, 32, 32], 'a small blue square');
    await page.keyboard.press('v');
    await page.fill('[data-testid=gen-seed]', String(SEED)); // an unlocked seed moves on after each run
    const { added } = await ed.generateWith('gen-button');
    assert.equal(added.length, 1, 'one composite layer');
    const prov = added[0].provenance;
    assert.ok(prov, 'the composite carries provenance');
    assert.deepEqual([prov.packId, prov.pipeline, prov.seed], [PACK_ID, 'layerbind', SEED]);
    assert.deepEqual(prov.regions.map((r) => [r.prompt, r.box]), [['a small blue square', [8, 8, 32, 32]]]);
    assert.equal(prov.params.layerbind?.mode, 'layerbind');
    const bound = await layerPixels((await ed.view()).docId, added[0]);
    let changed = 0;
    for (let i = 0; i < bound.length; i++) if (bound[i] !== plain[i]) changed++;
    assert.ok(changed > 0, 'the region changes the image');
    await page.waitForTimeout(300);
    await ed.shot('layerbind-region');
  });

  assert.deepEqual(suite.errors, [], 'no uncaught errors in the page');
});

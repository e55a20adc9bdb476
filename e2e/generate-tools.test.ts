// Issue 12 items 15-17 and 12 in a real browser: prompt fields underline unknown words and
// complete known ones; a region's overlay takes its prompt's colour; a batch of variations
// lands as candidates, one is picked; the generation history re-opens a past spec; rotate
// and crop change pixels and canvas. Screenshots go to e2e/artifacts/generate-tools/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { openWatchedEditor, type EditorPage, type EditorSession } from './editor-page.ts';
import { artifactsDir } from './harness.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
const shots = artifactsDir('generate-tools');
let session: EditorSession;
let page: Page;
let ed: EditorPage;
let work: string;
const pageErrors: string[] = [];

type Lyr = { id: string; kind: string; name: string; color?: string; x: number; y: number; width?: number; height?: number; provenance?: { seed: number } | null };
type W = { __lamina: { editor: { document: { width: number; height: number; layers: Lyr[]; generations?: { spec: { seed: number; prompt: string } }[] } | null; select(ids: string[]): void; deleteSelection(): Promise<void>; state: { selection: string[] } } } };
const layers = () => page.evaluate(() => (window as unknown as W).__lamina.editor.document?.layers ?? []);
const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
const near = (a: number[], b: number[], tol = 40) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

before(async () => {
  if (SKIP) return;
  for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(join(shots, f));
  work = mkdtempSync(join(tmpdir(), 'lamina-e2e-gentools-'));
  // 64 x 32: left half red, right half blue
  const rgba = Buffer.alloc(64 * 32 * 4);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) rgba.set(x < 32 ? [220, 30, 30, 255] : [30, 60, 230, 255], (y * 64 + x) * 4);
  await sharp(rgba, { raw: { width: 64, height: 32, channels: 4 } }).png().toFile(join(work, 'halves.png'));
  session = await openWatchedEditor(shots, pageErrors);
  ({ page, ed } = session);
});

after(async () => {
  await session?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('generate tools: vocabulary help, prompt-coloured overlays, variations pick, history reopen, rotate and crop', { skip: SKIP, timeout: 300_000 }, async (t) => {
  await t.test('a 128 x 128 document (the pack\'s native size)', async () => {
    await page.waitForSelector('[data-testid=pack-select] option[value=lamina-tiny]', { state: 'attached' });
    await ed.newDocument(128, 128);
  });

  await t.test('prompt field: unknown words underlined and named with the closest; Tab completes the word being typed', async () => {
    // (a word is judged once the caret leaves it: here, after the space)
    await page.fill('[data-testid=gen-prompt]', 'a large red cirle ');
    await page.waitForSelector('[data-testid=gen-prompt-unknown]');
    assert.match((await page.textContent('[data-testid=gen-prompt-unknown]')) ?? '', /doesn't know cirle \(try circle/);
    assert.equal(await page.locator('.gen-panel mark.unknown-word').count(), 1);
    assert.equal(await page.textContent('.gen-panel mark.unknown-word'), 'cirle');
    await ed.shot('unknown-word-underlined');
    await page.fill('[data-testid=gen-prompt]', 'a large red ci');
    await page.waitForSelector('[data-testid=gen-prompt-suggestions]');
    assert.ok((await page.locator('[data-testid=gen-prompt-suggestions] li').allTextContents()).includes('circle'));
    await ed.shot('completion-offered');
    await page.keyboard.press('Tab');
    assert.equal(await page.inputValue('[data-testid=gen-prompt]'), 'a large red circle ');
    assert.equal(await page.locator('[data-testid=gen-prompt-unknown]').count(), 0);
  });

  await t.test('region overlay: neutral until its prompt names a colour, then that colour', async () => {
    await blur(); // the tool keys go to the canvas, not into the prompt
    await ed.drawRegion([20, 20, 80, 60], 'a small blue star');
    const region = (await layers()).find((l) => l.kind === 'region')!;
    assert.equal(region.color, '#286edc', 'the pack\'s blue');
    await page.waitForTimeout(200);
    const [r, g, b] = await ed.pixelAt(60, 70);
    assert.ok(b > r + 10 && b > g, `the overlay is blue-ish: ${r},${g},${b}`);
    await ed.shot('blue-region-overlay');
    await page.evaluate(() => (window as unknown as W).__lamina.editor.deleteSelection());
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 1) === 0);
    await page.keyboard.press('v');
  });

  let seeds: number[] = [];
  await t.test('variations: 3 candidates with distinct seeds; picking one keeps it and deletes the others', async () => {
    await page.fill('[data-testid=gen-steps]', '6');
    await page.fill('[data-testid=gen-batch]', '3');
    await page.click('[data-testid=gen-button]');
    await page.waitForSelector('[data-testid=gen-variations]', { timeout: 120_000 });
    const ls = await layers();
    seeds = ls.map((l) => l.provenance!.seed);
    assert.equal(ls.length, 3);
    assert.deepEqual(seeds, [seeds[0], seeds[0] + 1, seeds[0] + 2]);
    assert.equal(await page.locator('[data-testid^=gen-variation-]').count(), 3);
    assert.match((await page.textContent('[data-testid=gen-last-seed]')) ?? '', new RegExp(`variations ${seeds.join(', ')}`));
    await page.waitForTimeout(400);
    await ed.shot('variations-offered');
    await page.click('[data-testid=gen-variation-1]');
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 0) === 1);
    assert.equal((await layers())[0].provenance!.seed, seeds[1]);
    assert.equal(await page.locator('[data-testid=gen-variations]').count(), 0);
    await ed.shot('variation-picked');
  });

  await t.test('history: every result listed with a thumbnail; clicking one re-opens its spec', async () => {
    assert.equal(await page.locator('[data-testid^=history-entry-]').count(), 3, 'picking does not forget the others');
    await page.fill('[data-testid=gen-prompt]', 'a small green heart');
    await page.click('[data-testid=history-entry-2]');
    await page.waitForFunction((s) => (document.querySelector('[data-testid=gen-seed]') as HTMLInputElement).value === String(s), seeds[2]);
    assert.equal(await page.inputValue('[data-testid=gen-prompt]'), 'a large red circle ');
    assert.equal(await page.inputValue('[data-testid=gen-steps]'), '6');
    assert.equal(await page.getAttribute('[data-testid=gen-seed-lock]', 'aria-pressed'), 'true');
    await page.waitForTimeout(300);
    await ed.shot('history-reopened');
  });

  await t.test('rotate 90° clockwise and crop to the layer: pixels turned, canvas cut to the layer', async () => {
    await page.setInputFiles('[data-testid=import-input]', [join(work, 'halves.png')]);
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 0) === 2);
    const halves = (await layers())[0];
    await page.evaluate((id) => (window as unknown as W).__lamina.editor.select([id]), halves.id);
    await page.selectOption('[data-testid=image-menu]', 'rotate-cw');
    await page.waitForFunction(() => (window as unknown as W).__lamina.editor.document?.layers[0].width === 32);
    const turned = (await layers())[0];
    assert.deepEqual([turned.x, turned.y, turned.width, turned.height], [halves.x + 16, halves.y - 16, 32, 64]);
    await page.selectOption('[data-testid=image-menu]', 'crop');
    await page.waitForFunction(() => (window as unknown as W).__lamina.editor.document?.width === 32);
    await page.click('[data-testid=zoom-level]');
    await page.waitForTimeout(400);
    const d = await page.evaluate(() => { const doc = (window as unknown as W).__lamina.editor.document!; return [doc.width, doc.height, doc.layers[0].x, doc.layers[0].y]; });
    assert.deepEqual(d, [32, 64, 0, 0]);
    assert.ok(near(await ed.pixelAt(16, 12), [220, 30, 30]), 'the red half is on top after a clockwise turn');
    assert.ok(near(await ed.pixelAt(16, 52), [30, 60, 230]), 'the blue half below');
    await ed.shot('rotated-and-cropped');
  });

  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

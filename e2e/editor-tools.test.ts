// Issue 12 in a real browser (Debian Chromium headless against `lamina serve`): imports land
// centred (file input, drag-and-drop, paste), regenerate a selection in place of a layer's
// pixels (outside byte-identical, undo restores), lock transparency, clipping masks, the
// Canvas Size and Image Size dialogs, free transform (Ctrl+T) and the crop tool (C), and
// the layers panel's mask thumbnail and indicators. Pixels are checked in the engine's copy
// of the document and on screen. Screenshots: e2e/artifacts/editor-tools/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import type { RasterLayer } from '../common/document/document-schema.ts';
import { openWatchedEditor, type EditorPage, type EditorSession } from './editor-page.ts';
import { artifactsDir } from './harness.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
const shots = artifactsDir('editor-tools');
let session: EditorSession;
let page: Page;
let ed: EditorPage;
let work: string;
const pageErrors: string[] = [];

type W = { __lamina: { editor: {
  document: { width: number; height: number; layers: { id: string; name: string; x: number; y: number; width?: number; height?: number; imageId?: string; clip?: boolean; lockAlpha?: boolean; mask?: { imageId: string; enabled: boolean } | null }[] } | null;
  state: { snapshot: { undoLabel: string | null; redoLabel: string | null; version: number }; pixelSelection: { width: number; height: number; data: Uint8Array } | null; selection: string[]; editMask: boolean; tool: string; toolPath: string };
  select(ids: string[]): void;
  deleteSelection(): Promise<void>;
  store: { set(p: unknown): void };
} } };

const near = (a: number[], b: number[], tol = 40) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
const waitLabel = (label: string) => page.waitForFunction((l) => (window as unknown as W).__lamina.editor.state.snapshot.undoLabel === l, label, { timeout: 60_000 });
const waitRedo = (label: string) => page.waitForFunction((l) => (window as unknown as W).__lamina.editor.state.snapshot.redoLabel === l, label, { timeout: 10_000 });
const selectLayer = (id: string) => page.evaluate((i) => (window as unknown as W).__lamina.editor.select([i]), id);
const setBrush = (brush: { size: number; hardness: number; opacity: number; color: [number, number, number] }) =>
  page.evaluate((b) => (window as unknown as W).__lamina.editor.store.set({ brush: b }), brush);
const byName = async (name: string) => {
  const l = (await ed.doc()).layers.find((q) => q.name === name);
  assert.ok(l, `layer ${name}`);
  return l as RasterLayer;
};

/** The engine's pixels of a raster layer (its own image, and where it sits). */
async function layerPixels(id: string): Promise<{ x: number; y: number; width: number; height: number; rgba: Uint8Array; imageId: string }> {
  const l = (await ed.doc()).layers.find((q) => q.id === id) as RasterLayer;
  const img = await session.contract.call('document.image', { docId: (await ed.view()).docId, imageId: l.imageId });
  return { x: l.x, y: l.y, width: img.width, height: img.height, rgba: img.rgba, imageId: l.imageId };
}
/** A layer's engine pixel at canvas (x, y); outside the layer [0, 0, 0, 0]. */
function pixelOf(p: { x: number; y: number; width: number; height: number; rgba: Uint8Array }, x: number, y: number): number[] {
  const lx = x - p.x, ly = y - p.y;
  if (lx < 0 || ly < 0 || lx >= p.width || ly >= p.height) return [0, 0, 0, 0];
  const i = (ly * p.width + lx) * 4;
  return [...p.rgba.subarray(i, i + 4)];
}

async function png(name: string, w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): Promise<string> {
  const rgba = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set(px(x, y), (y * w + x) * 4);
  const path = join(work, name);
  await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toFile(path);
  return path;
}

/** Hands a PNG to the page as a File in a DataTransfer, dispatched as a drop or a paste. */
async function deliver(kind: 'drop' | 'paste', path: string, name: string): Promise<void> {
  await page.evaluate(({ kind, b64, name }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'image/png' }));
    if (kind === 'drop') {
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    } else document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, { kind, b64: readFileSync(path).toString('base64'), name });
}

const paths: Record<string, string> = {};
before(async () => {
  if (SKIP) return;
  for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(join(shots, f));
  work = mkdtempSync(join(tmpdir(), 'lamina-e2e-tools-'));
  // a neutral grey gradient covering the 128 x 128 canvas
  paths.base = await png('base.png', 128, 128, (x, y) => [60 + x, 60 + x, 60 + y, 255]);
  // 64 x 64: the left half opaque green, the right half transparent
  paths.half = await png('halfgreen.png', 64, 64, (x) => (x < 32 ? [40, 170, 70, 255] : [0, 0, 0, 0]));
  paths.blue = await png('blue.png', 64, 64, () => [30, 60, 230, 255]);
  paths.wide = await png('wide.png', 40, 24, () => [240, 200, 20, 255]);
  paths.small = await png('small.png', 20, 10, () => [200, 20, 200, 255]);
  session = await openWatchedEditor(shots, pageErrors);
  ({ page, ed } = session);
});
after(async () => {
  await session?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('editor tools: imports centred, regenerate a selection, lock transparency, clipping, canvas/image size, free transform, crop', { skip: SKIP, timeout: 400_000 }, async (t) => {
  await t.test('a 128 x 128 document with a full-canvas picture', async () => {
    await page.waitForSelector('[data-testid=pack-select] option[value=lamina-tiny]', { state: 'attached' });
    await ed.newDocument(128, 128);
    await page.setInputFiles('[data-testid=import-input]', [paths.base]);
    await ed.waitForOrder(['base']);
    const base = await byName('base');
    assert.deepEqual([base.x, base.y], [0, 0], 'a canvas-sized import fills the canvas');
  });

  await t.test('regenerate a selection, replacing its pixels: outside byte-identical, inside changed, undo restores', async () => {
    const base = await byName('base');
    const before = await layerPixels(base.id);
    await page.fill('[data-testid=gen-prompt]', 'a large red circle');
    await page.fill('[data-testid=gen-steps]', '4');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=canvas]').click({ position: { x: 5, y: 5 } }); // focus off the text fields
    await selectLayer(base.id);
    await page.keyboard.press('m');
    await ed.dragMouse(await ed.toPage(40, 36), await ed.toPage(92, 84), 8);
    await page.waitForSelector('[data-testid=canvas][data-pixel-selection=on]');
    await page.waitForSelector('[data-testid=regen-selection]');
    await page.selectOption('[data-testid=regen-selection-landing]', 'replace');
    await page.fill('[data-testid=regen-selection-strength]', '0.9');
    await ed.shot('regen-selection-options');
    const sel = await page.evaluate(() => {
      const s = (window as unknown as W).__lamina.editor.state.pixelSelection!;
      return { width: s.width, height: s.height, data: Array.from(s.data) };
    });
    const selected = sel.data.filter((v) => v === 255).length;
    assert.ok(selected > 40 * 40, `the marquee selected ${selected} px`);
    await page.click('[data-testid=regen-selection-go]');
    await page.waitForFunction(({ id, img }) => (window as unknown as W).__lamina.editor.document!.layers.find((l) => l.id === id)!.imageId !== img, { id: base.id, img: before.imageId }, { timeout: 120_000 });
    const d = await ed.doc();
    assert.equal(d.layers.length, 1, 'replacing lands no new layer');
    const after = await layerPixels(base.id);
    assert.deepEqual([after.x, after.y, after.width, after.height], [0, 0, 128, 128]);
    let outsideDiff = 0, insideChanged = 0;
    for (let i = 0; i < sel.data.length; i++) {
      const same = before.rgba[i * 4] === after.rgba[i * 4] && before.rgba[i * 4 + 1] === after.rgba[i * 4 + 1] && before.rgba[i * 4 + 2] === after.rgba[i * 4 + 2] && before.rgba[i * 4 + 3] === after.rgba[i * 4 + 3];
      if (sel.data[i] === 0 && !same) outsideDiff++;
      if (sel.data[i] === 255 && !same) insideChanged++;
    }
    assert.equal(outsideDiff, 0, 'every pixel outside the selection is byte-identical');
    assert.ok(insideChanged > selected * 0.5, `the selected pixels changed (${insideChanged} of ${selected})`);
    await page.waitForTimeout(200);
    await ed.shot('regen-selection-replaced');
    const label = await page.evaluate(() => (window as unknown as W).__lamina.editor.state.snapshot.undoLabel);
    await page.keyboard.press('Control+z');
    await waitRedo(label!);
    const undone = await layerPixels(base.id);
    assert.equal(undone.imageId, before.imageId, 'one undo step brings the old pixels back');
    assert.ok(Buffer.from(undone.rgba).equals(Buffer.from(before.rgba)), 'the undone pixels are the originals');
    await page.keyboard.press('Control+d');
    await page.waitForSelector('[data-testid=canvas][data-pixel-selection=off]');
  });

  await t.test('imports land centred: file input, drag-and-drop and paste', async () => {
    await page.setInputFiles('[data-testid=import-input]', [paths.half]);
    await ed.waitForOrder(['halfgreen', 'base']);
    const half = await byName('halfgreen');
    assert.deepEqual([half.x, half.y], [(128 - 64) / 2, (128 - 64) / 2]);
    await deliver('drop', paths.wide, 'wide.png');
    await ed.waitForOrder(['wide', 'halfgreen', 'base']);
    const wide = await byName('wide');
    assert.deepEqual([wide.x, wide.y], [Math.round((128 - 40) / 2), Math.round((128 - 24) / 2)]);
    assert.ok(near(await ed.pixelAt(64, 64), [240, 200, 20]), 'the dropped image shows at the centre');
    await page.locator('[data-testid=canvas]').click({ position: { x: 5, y: 5 } });
    await deliver('paste', paths.small, 'small.png');
    await ed.waitForOrder(['small', 'wide', 'halfgreen', 'base']);
    const small = await byName('small');
    assert.deepEqual([small.x, small.y], [Math.round((128 - 20) / 2), Math.round((128 - 10) / 2)]);
    await ed.shot('imports-centred');
    for (const id of [small.id, wide.id]) {
      await selectLayer(id);
      await page.evaluate(() => (window as unknown as W).__lamina.editor.deleteSelection());
    }
    await ed.waitForOrder(['halfgreen', 'base']);
  });

  await t.test('lock transparency: a stroke over the layer paints its opaque pixels only', async () => {
    const half = await byName('halfgreen');
    await selectLayer(half.id);
    await page.click(`[data-testid=layer-row-${half.id}]`, { button: 'right' });
    await page.click('[data-testid=ctx-lock-alpha]');
    await page.waitForFunction((id) => (window as unknown as W).__lamina.editor.document!.layers.find((l) => l.id === id)!.lockAlpha === true, half.id);
    await page.keyboard.press('b');
    await setBrush({ size: 16, hardness: 1, opacity: 1, color: [230, 30, 30] });
    await ed.dragMouse(await ed.toPage(20, 64), await ed.toPage(108, 64), 16);
    await waitLabel('Brush Stroke');
    const p = await layerPixels(half.id);
    assert.deepEqual([p.x, p.y, p.width, p.height], [32, 32, 64, 64], 'the layer does not grow under lock transparency');
    assert.deepEqual(pixelOf(p, 48, 64), [230, 30, 30, 255], 'opaque pixels take the paint');
    for (const x of [66, 80, 95]) assert.equal(pixelOf(p, x, 64)[3], 0, `the transparent pixel at (${x}, 64) stays transparent`);
    assert.deepEqual(pixelOf(p, 48, 40), [40, 170, 70, 255], 'off the stroke the green stays');
    await page.keyboard.press('v');
    await page.waitForTimeout(200);
    await ed.shot('lock-transparency');
  });

  await t.test('clipping mask: the clipped layer shows only where its base has alpha', async () => {
    await page.setInputFiles('[data-testid=import-input]', [paths.blue]);
    await ed.waitForOrder(['blue', 'halfgreen', 'base']);
    const blue = await byName('blue');
    assert.ok(near(await ed.pixelAt(80, 44), [30, 60, 230]), 'before clipping blue covers the transparent half too');
    await page.click(`[data-testid=layer-row-${blue.id}]`, { button: 'right' });
    await page.click('[data-testid=ctx-clip]');
    await page.waitForFunction((id) => (window as unknown as W).__lamina.editor.document!.layers.find((l) => l.id === id)!.clip === true, blue.id);
    await page.waitForTimeout(300);
    assert.ok(near(await ed.pixelAt(44, 44), [30, 60, 230], 20), 'blue where the base is opaque');
    const overTransparent = await ed.pixelAt(80, 44);
    assert.ok(near(overTransparent, [60 + 80, 60 + 80, 60 + 44], 20), `the grey picture where the base is transparent: ${overTransparent}`);
    const outside = await ed.pixelAt(110, 110);
    assert.ok(near(outside, [60 + 110, 60 + 110, 60 + 110], 20), `outside both: the picture below: ${outside}`);
    await ed.shot('clipping-mask');
  });

  await t.test('Canvas Size: the canvas grows around the centre, the layers move with it', async () => {
    const before = await ed.doc();
    await page.selectOption('[data-testid=image-menu]', 'canvas-size');
    await page.waitForSelector('[data-testid=canvas-size-dialog]');
    await page.fill('[data-testid=canvas-size-width]', '192');
    await page.click('[data-testid=anchor-center]');
    await ed.shot('canvas-size-dialog');
    await page.click('[data-testid=canvas-size-apply]');
    await page.waitForSelector('[data-testid=canvas-size-dialog]', { state: 'detached' });
    await waitLabel('Canvas Size');
    const d = await ed.doc();
    assert.deepEqual([d.width, d.height], [192, 128]);
    for (const l of d.layers) {
      const was = before.layers.find((q) => q.id === l.id)!;
      assert.deepEqual([l.x, l.y], [was.x + 32, was.y], `${l.name} moved with the centre`);
    }
    await page.keyboard.press('Control+0');
    await page.waitForTimeout(300);
    assert.ok(near(await ed.pixelAt(32 + 44, 44), [30, 60, 230], 20), 'the clipped blue moved with its base');
    const edge = await ed.pixelAt(8, 64);
    assert.ok(Math.abs(edge[0] - edge[1]) < 30 && !near(edge, [60, 60, 124], 8), `the new strip is empty (checkerboard): ${edge}`);
    await ed.shot('canvas-size-applied');
  });

  await t.test('Image Size: everything scaled by half, pixels resampled', async () => {
    await page.selectOption('[data-testid=image-menu]', 'image-size');
    await page.waitForSelector('[data-testid=image-size-dialog]');
    await page.fill('[data-testid=image-size-width]', '96');
    assert.equal(await page.inputValue('[data-testid=image-size-height]'), '64', 'proportions kept');
    await page.click('[data-testid=image-size-apply]');
    await waitLabel('Image Size');
    const d = await ed.doc();
    assert.deepEqual([d.width, d.height], [96, 64]);
    const half = d.layers.find((l) => l.name === 'halfgreen')!;
    const p = await layerPixels(half.id);
    assert.deepEqual([p.x, p.y, p.width, p.height], [32, 16, 32, 32]);
    assert.deepEqual(pixelOf(p, 32 + 4, 16 + 4).slice(1), [170, 70, 255], 'the green corner is still green');
    assert.equal(pixelOf(p, 32 + 28, 16 + 4)[3], 0, 'the transparent half is still transparent');
    await page.keyboard.press('Control+0');
    await page.waitForTimeout(300);
    await ed.shot('image-size-applied');
  });

  await t.test('free transform (Ctrl+T): scale by a corner, turn 90° with Shift, Enter resamples; one undo step', async () => {
    const half = (await ed.doc()).layers.find((l) => l.name === 'halfgreen')!;
    const before = await layerPixels(half.id);
    await selectLayer(half.id);
    await page.locator('[data-testid=canvas]').focus();
    await page.keyboard.press('Control+t');
    await page.waitForSelector('[data-testid=canvas][data-tool-path="transform.idle"]');
    // the se corner (64, 48) to (96, 80): twice the size, the nw corner stays
    await ed.dragMouse(await ed.toPage(64, 48), await ed.toPage(96, 80), 8);
    await page.waitForSelector('[data-testid=canvas][data-tool-path="transform.idle"]');
    await ed.shot('free-transform-scaled');
    // turn: press above the box (due north of its centre (64, 48)), sweep to due east:
    // a quarter turn clockwise, Shift snapping it to exactly 90°
    const east = await ed.toPage(64, 6), south = await ed.toPage(92, 50);
    await page.mouse.move(east.x, east.y);
    await page.mouse.down();
    await page.keyboard.down('Shift');
    for (let i = 1; i <= 10; i++) await page.mouse.move(east.x + ((south.x - east.x) * i) / 10, east.y + ((south.y - east.y) * i) / 10);
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.waitForTimeout(200);
    await ed.shot('free-transform-turned');
    assert.equal((await layerPixels(half.id)).imageId, before.imageId, 'nothing is written before Enter');
    await page.keyboard.press('Enter');
    await waitLabel('Free Transform');
    const p = await layerPixels(half.id);
    assert.deepEqual([p.x, p.y, p.width, p.height], [32, 16, 64, 64], 'twice the size, turned about its centre');
    // the opaque left half went to the top after a clockwise quarter turn
    // (the red stroke across the middle now runs down the middle column, x 64)
    assert.deepEqual(pixelOf(p, 44, 24), [40, 170, 70, 255], 'the top half is the opaque green');
    assert.deepEqual(pixelOf(p, 64, 24).slice(0, 1), [230], 'the red stroke turned upright');
    assert.equal(pixelOf(p, 64, 72)[3], 0, 'the bottom half is transparent');
    await page.waitForTimeout(200);
    await ed.shot('free-transform-applied');
    await page.keyboard.press('Control+z');
    await waitRedo('Free Transform');
    const undone = await layerPixels(half.id);
    assert.deepEqual([undone.imageId, undone.x, undone.y, undone.width], [before.imageId, 32, 16, 32], 'one undo step puts it back');
  });

  await t.test('crop tool (C): adjust the box by its handles, Enter crops the canvas; undo restores', async () => {
    const before = await ed.doc();
    await page.locator('[data-testid=canvas]').focus();
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid=canvas][data-tool-path="crop.idle"]');
    await ed.dragMouse(await ed.toPage(0, 0), await ed.toPage(8, 8), 6);
    await ed.dragMouse(await ed.toPage(96, 64), await ed.toPage(80, 56), 6);
    await page.waitForTimeout(150);
    await ed.shot('crop-box');
    const shown = await ed.pixelAt(20, 20);
    await page.keyboard.press('Enter');
    await waitLabel('Crop');
    const d = await ed.doc();
    assert.deepEqual([d.width, d.height], [72, 48]);
    for (const l of d.layers) {
      const was = before.layers.find((q) => q.id === l.id)!;
      assert.deepEqual([l.x, l.y], [was.x - 8, was.y - 8], `${l.name} offset by the crop`);
    }
    await page.keyboard.press('Control+0');
    await page.waitForTimeout(300);
    assert.ok(near(await ed.pixelAt(12, 12), shown, 24), 'the picture is where it was, less the crop');
    await ed.shot('cropped');
    await page.keyboard.press('Control+z');
    await waitRedo('Crop');
    assert.deepEqual([(await ed.doc()).width, (await ed.doc()).height], [96, 64]);
    await page.keyboard.press('v');
  });

  await t.test('layers panel: mask thumbnail (click: mask / pixels, Shift+click: disable) and lock / lock-transparency / clipped indicators', async () => {
    const d = await ed.doc();
    const half = d.layers.find((l) => l.name === 'halfgreen')!;
    const blue = d.layers.find((l) => l.name === 'blue')!;
    const base = d.layers.find((l) => l.name === 'base')!;
    const editMask = () => page.evaluate(() => (window as unknown as W).__lamina.editor.state.editMask);
    assert.equal(await page.locator(`[data-testid=layer-mask-thumb-${half.id}]`).count(), 0, 'no mask, no mask thumbnail');
    await page.click(`[data-testid=layer-row-${half.id}]`, { button: 'right' });
    await page.click('[data-testid=ctx-mask-add]');
    await page.waitForSelector(`[data-testid=layer-mask-thumb-${half.id}]`);
    assert.equal(await editMask(), true, 'a new mask is what the brush paints');
    assert.equal(await page.getAttribute(`[data-testid=layer-mask-thumb-${half.id}]`, 'aria-pressed'), 'true');
    await page.click(`[data-testid=layer-pixels-thumb-${half.id}]`);
    assert.equal(await editMask(), false, 'the pixel thumbnail: paint the pixels');
    await page.click(`[data-testid=layer-mask-thumb-${half.id}]`);
    assert.equal(await editMask(), true, 'the mask thumbnail: paint the mask');
    await page.click(`[data-testid=layer-mask-thumb-${half.id}]`);
    assert.equal(await editMask(), false, 'clicked again: back to the pixels');
    await page.click(`[data-testid=layer-mask-thumb-${half.id}]`, { modifiers: ['Shift'] });
    await waitLabel('Disable Layer Mask');
    await page.waitForSelector(`[data-testid=layer-mask-thumb-${half.id}][data-mask-enabled=false]`);
    assert.equal((await ed.doc()).layers.find((l) => l.id === half.id)!.kind === 'raster' && ((await ed.doc()).layers.find((l) => l.id === half.id) as RasterLayer).mask!.enabled, false);
    // indicators
    assert.equal(await page.locator(`[data-testid=layer-lock-alpha-${half.id}]`).count(), 1, 'halfgreen shows its transparency lock');
    assert.equal(await page.locator(`[data-testid=layer-clipped-${blue.id}]`).count(), 1, 'blue shows it is clipped');
    assert.equal(await page.locator(`[data-testid=layer-clipped-${half.id}]`).count(), 0);
    assert.equal(await page.locator(`[data-testid=layer-locked-${base.id}]`).count(), 0);
    await page.click(`[data-testid=layer-lock-${base.id}]`);
    await page.waitForSelector(`[data-testid=layer-locked-${base.id}]`);
    await page.locator('[data-testid=layers-panel]').screenshot({ path: join(shots, 'layers-panel-icons.png') });
    await ed.shot('layers-panel');
    await page.click(`[data-testid=layer-mask-thumb-${half.id}]`, { modifiers: ['Shift'] });
    await waitLabel('Enable Layer Mask');
    await page.waitForSelector(`[data-testid=layer-mask-thumb-${half.id}][data-mask-enabled=true]`);
  });

  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

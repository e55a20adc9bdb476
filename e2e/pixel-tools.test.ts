// The pixel tools in a real browser (Debian Chromium headless against `lamina serve`):
// brush and eraser strokes on a raster layer with undo, marquee + Delete, lasso, the
// options bar and the shortcuts sheet. Pixels are checked in the engine's copy of the
// document and on screen. Screenshots: e2e/artifacts/pixel-tools/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readPsd, initializeCanvas } from 'ag-psd';
import type { Page } from 'playwright-core';
import type { RasterLayer } from '../common/document/document-schema.ts';
import { suiteEditor, type EditorPage, type EditorSession } from './editor-page.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
const suite = suiteEditor('pixel-tools', SKIP);
const pageErrors = suite.errors;
let session: EditorSession;
let page: Page;
let ed: EditorPage;

/** The engine's pixel of layer `id` at canvas (x, y). */
async function enginePixel(id: string, x: number, y: number): Promise<number[]> {
  const d = await ed.doc();
  const l = d.layers.find((q) => q.id === id) as RasterLayer;
  const img = await session.contract.call('document.image', { docId: (await ed.view()).docId, imageId: l.imageId });
  const lx = x - l.x, ly = y - l.y;
  if (lx < 0 || ly < 0 || lx >= l.width || ly >= l.height) return [0, 0, 0, 0];
  const i = (ly * img.width + lx) * 4;
  return [...img.rgba.subarray(i, i + 4)];
}
const undoLabel = () => page.evaluate(() => (window as unknown as { __lamina: { editor: { state: { snapshot: { undoLabel: string | null } } } } }).__lamina.editor.state.snapshot.undoLabel);
const waitLabel = (label: string) => page.waitForFunction((l) => (window as unknown as { __lamina: { editor: { state: { snapshot: { undoLabel: string | null } } } } }).__lamina.editor.state.snapshot.undoLabel === l, label, { timeout: 10_000 });
const setBrush = (brush: { size: number; hardness: number; opacity: number; color: [number, number, number] }) =>
  page.evaluate((b) => (window as unknown as { __lamina: { editor: { store: { set(p: unknown): void } } } }).__lamina.editor.store.set({ brush: b }), brush);

test('pixel tools: brush, eraser, undo, marquee + delete, lasso, shortcuts sheet', { skip: SKIP, timeout: 240_000 }, async (t) => {
  session = suite.session; // opened by suiteEditor's before()
  ({ page, ed } = session);
  await t.test('new 256 x 256 document', async () => {
    await page.click('[data-testid=file-new]');
    await page.fill('[data-testid=new-width]', '256');
    await page.fill('[data-testid=new-height]', '256');
    await page.click('[data-testid=new-create]');
    await page.waitForSelector('[data-testid=canvas] canvas');
  });

  let layerId = '';
  await t.test('brush (B): a first stroke makes a layer; a second paints it; each is one undo step', async () => {
    await page.keyboard.press('b');
    await page.waitForSelector('[data-testid=tool-options] [data-testid=brush-size]');
    await setBrush({ size: 40, hardness: 1, opacity: 1, color: [230, 40, 40] });
    await ed.dragMouse(await ed.toPage(40, 60), await ed.toPage(216, 60), 16);
    await waitLabel('Brush Stroke');
    const d = await ed.doc();
    assert.equal(d.layers.length, 1);
    layerId = d.layers[0].id;
    assert.deepEqual(await enginePixel(layerId, 128, 60), [230, 40, 40, 255]);
    await setBrush({ size: 30, hardness: 0.3, opacity: 0.6, color: [40, 80, 230] });
    await ed.dragMouse(await ed.toPage(128, 20), await ed.toPage(128, 230), 16);
    await page.waitForFunction(() => (window as unknown as { __lamina: { editor: { state: { snapshot: { version: number } } } } }).__lamina.editor.state.snapshot.version >= 2);
    await page.waitForTimeout(200);
    const mixed = await enginePixel(layerId, 128, 60);
    assert.ok(mixed[2] > 120 && mixed[0] < 200 && mixed[3] === 255, `blue at 60% over red: ${mixed}`);
    const onScreen = await ed.pixelAt(128, 150);
    assert.ok(onScreen[2] > onScreen[0], `the canvas shows the blue stroke: ${onScreen}`);
    await page.mouse.move((await ed.toPage(180, 180)).x, (await ed.toPage(180, 180)).y);
    await ed.shot('brush-strokes');
  });

  await t.test('eraser (E) takes pixels away; Ctrl+Z brings them back', async () => {
    await page.keyboard.press('e');
    await setBrush({ size: 24, hardness: 1, opacity: 1, color: [0, 0, 0] });
    await ed.dragMouse(await ed.toPage(60, 30), await ed.toPage(60, 90), 10);
    await waitLabel('Eraser Stroke');
    assert.equal((await enginePixel(layerId, 60, 60))[3], 0);
    assert.equal((await enginePixel(layerId, 100, 60))[3], 255, 'next to the stroke stays');
    await ed.shot('erased');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => (window as unknown as { __lamina: { editor: { state: { snapshot: { redoLabel: string | null } } } } }).__lamina.editor.state.snapshot.redoLabel === 'Eraser Stroke');
    assert.deepEqual(await enginePixel(layerId, 60, 60), [230, 40, 40, 255]);
  });

  await t.test('marquee (M) + Delete clears the selected pixels only; undo restores', async () => {
    await page.keyboard.press('m');
    await ed.dragMouse(await ed.toPage(150, 40), await ed.toPage(220, 80), 8);
    await page.waitForSelector('[data-testid=canvas][data-pixel-selection=on]');
    await page.waitForTimeout(200);
    await ed.shot('marquee-ants');
    await page.keyboard.press('Delete');
    await waitLabel('Delete Pixels');
    assert.equal((await ed.doc()).layers.length, 1, 'the layer stays');
    assert.equal((await enginePixel(layerId, 180, 60))[3], 0);
    assert.equal((await enginePixel(layerId, 100, 60))[3], 255);
    const shown = await ed.pixelAt(190, 60);
    assert.ok(Math.abs(shown[0] - shown[1]) < 30, `the checkerboard shows through: ${shown}`);
    await ed.shot('marquee-deleted');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => (window as unknown as { __lamina: { editor: { state: { snapshot: { redoLabel: string | null } } } } }).__lamina.editor.state.snapshot.redoLabel === 'Delete Pixels');
    assert.equal((await enginePixel(layerId, 180, 60))[3], 255);
    await page.keyboard.press('Control+d');
    await page.waitForSelector('[data-testid=canvas][data-pixel-selection=off]');
  });

  await t.test('ellipse marquee, lasso, invert (Ctrl+Shift+I)', async () => {
    await page.keyboard.press('Shift+M');
    await ed.dragMouse(await ed.toPage(30, 120), await ed.toPage(110, 200), 8);
    await page.waitForSelector('[data-testid=canvas][data-pixel-selection=on]');
    await page.keyboard.press('l');
    const pts = [[150, 130], [230, 140], [200, 230], [140, 200]];
    await page.keyboard.down('Shift');
    const p0 = await ed.toPage(pts[0][0], pts[0][1]);
    await page.mouse.move(p0.x, p0.y);
    await page.mouse.down();
    for (const [x, y] of pts.slice(1)) {
      const p = await ed.toPage(x, y);
      await page.mouse.move(p.x, p.y, { steps: 6 });
    }
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.waitForTimeout(250);
    await ed.shot('ellipse-plus-lasso');
    const inside = await page.evaluate(() => {
      const s = (window as unknown as { __lamina: { editor: { state: { pixelSelection: { width: number; data: Uint8Array } } } } }).__lamina.editor.state.pixelSelection;
      return [s.data[160 * s.width + 70], s.data[170 * s.width + 185], s.data[20 * s.width + 20]];
    });
    assert.deepEqual(inside, [255, 255, 0], 'ellipse and lasso both selected (Shift adds)');
    await page.keyboard.press('Control+Shift+I');
    const inverted = await page.evaluate(() => {
      const s = (window as unknown as { __lamina: { editor: { state: { pixelSelection: { width: number; data: Uint8Array } } } } }).__lamina.editor.state.pixelSelection;
      return [s.data[160 * s.width + 70], s.data[20 * s.width + 20]];
    });
    assert.deepEqual(inverted, [0, 255]);
    await page.keyboard.press('Control+d');
  });

  await t.test('eyedropper (I) picks the canvas colour', async () => {
    await page.keyboard.press('i');
    const p = await ed.toPage(100, 60);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => (window as unknown as { __lamina: { editor: { state: { brush: { color: number[] } } } } }).__lamina.editor.state.brush.color.join() === '230,40,40');
    await ed.shot('eyedropper');
  });

  await t.test('layer mask from the context menu, painted, exported as a real PSD mask (read back with ag-psd) and kept in .ora', async () => {
    await page.keyboard.press('Control+d');
    await page.click(`[data-testid=layer-row-${layerId}]`, { button: 'right' });
    await page.waitForSelector('[data-testid=context-menu][data-where=layer]');
    await ed.shot('layer-context-menu');
    await page.click('[data-testid=ctx-mask-add]');
    await waitLabel('Add Layer Mask');
    await page.keyboard.press('e');
    await setBrush({ size: 30, hardness: 1, opacity: 1, color: [0, 0, 0] });
    await ed.dragMouse(await ed.toPage(90, 40), await ed.toPage(90, 80), 8);
    await waitLabel('Paint Layer Mask');
    await page.waitForTimeout(250);
    const hidden = await ed.pixelAt(90, 60);
    assert.ok(Math.abs(hidden[0] - hidden[1]) < 30, `the mask hides the layer there: ${hidden}`);
    assert.deepEqual(await enginePixel(layerId, 90, 60), [230, 40, 40, 255], 'the pixels are kept under the mask');
    await ed.shot('mask-painted');
    const { docId } = await ed.view();
    const bytes = await session.contract.call('export.bytes', { docId, format: 'psd' });
    initializeCanvas(
      ((w: number, h: number) => ({ width: w, height: h, getContext: () => null })) as never,
      ((w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) })) as never,
    );
    const psd = readPsd(Buffer.from(bytes.dataBase64, 'base64'), { useImageData: true, skipCompositeImageData: true, skipThumbnail: true });
    const l = (psd.children ?? []).find((c) => c.name === 'Layer 1')!;
    assert.ok(l?.mask?.imageData, `a PSD user mask on "Layer 1": ${JSON.stringify(l?.mask && { ...l.mask, imageData: undefined })}`);
    const m = l.mask!;
    const mw = m.imageData!.width;
    const at = (x: number, y: number) => m.imageData!.data[((y - (m.top ?? 0)) * mw + (x - (m.left ?? 0))) * 4];
    assert.equal(at(90, 60), 0, 'painted black where erased');
    assert.equal(at(150, 60), 255, 'white elsewhere');
    assert.equal(m.disabled ?? false, false);
    assert.equal(l.imageData!.data[((60 - (l.top ?? 0)) * l.imageData!.width + (90 - (l.left ?? 0))) * 4 + 3], 255, 'the layer pixels are unmasked in the PSD, as Photoshop keeps them');
    // reading the PSD back into Lamina keeps the mask as a mask
    const back = await session.contract.call('document.openBytes', { name: 'masked.psd', dataBase64: bytes.dataBase64 });
    const bl = back.document.layers.find((q) => q.name === 'Layer 1') as RasterLayer;
    assert.ok(bl.mask && bl.mask.enabled, 'PSD -> Lamina keeps the layer mask');
    // .ora: save and reopen
    const ora = await session.contract.call('export.bytes', { docId, format: 'ora' });
    const reopened = await session.contract.call('document.openBytes', { name: 'masked.ora', dataBase64: ora.dataBase64 });
    const rl = reopened.document.layers.find((q) => q.name === 'Layer 1') as RasterLayer;
    assert.ok(rl.mask, '.ora keeps the layer mask');
    const mimg = await session.contract.call('document.image', { docId: reopened.docId, imageId: rl.mask!.imageId });
    assert.equal(mimg.rgba[((60 - rl.mask!.y) * mimg.width + (90 - rl.mask!.x)) * 4], 0);
    await session.contract.call('document.close', { docId: back.docId });
    await session.contract.call('document.close', { docId: reopened.docId });
  });

  await t.test('Ctrl+J duplicates; the canvas context menu offers the selection commands', async () => {
    await page.locator('[data-testid=canvas]').focus();
    await page.keyboard.press('Control+j');
    await waitLabel('Duplicate Layer');
    assert.equal((await ed.doc()).layers.length, 2);
    const p = await ed.toPage(200, 200);
    await page.mouse.click(p.x, p.y, { button: 'right' });
    await page.waitForSelector('[data-testid=context-menu][data-where=canvas] [data-testid=ctx-select-all]');
    await ed.shot('canvas-context-menu');
    await page.click('[data-testid=ctx-select-all]');
    await page.waitForSelector('[data-testid=canvas][data-pixel-selection=on]');
    await page.keyboard.press('Control+d');
  });

  await t.test('? opens the shortcuts sheet', async () => {
    await page.locator('[data-testid=canvas]').focus();
    await page.keyboard.press('Shift+Slash');
    await page.waitForSelector('[data-testid=shortcuts-sheet]');
    const text = await page.textContent('[data-testid=shortcuts-sheet]');
    for (const s of ['Brush', 'Eraser', 'Lasso', 'Marquee', 'Eyedropper', 'Invert selection', 'Duplicate layer', 'Ctrl+J', 'Ctrl+Shift+I']) assert.ok(text!.includes(s), `the sheet lists ${s}`);
    await ed.shot('shortcuts-sheet');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=shortcuts-sheet]', { state: 'detached' });
    assert.equal(typeof (await undoLabel()), 'string');
    assert.deepEqual(pageErrors, []);
  });
});

// The Text tool in the browser editor (issue 18 item 4): T, click on the canvas, type,
// Ctrl+Enter: a text layer with its rendered pixels appears on the canvas; a style change
// re-renders it; double-click edits its words; undo goes back step by step. Screenshots:
// e2e/artifacts/text-tool/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { readPsd } from 'ag-psd';
import { unzipSync } from 'fflate';
import type { TextLayer } from '../common/document/document-schema.ts';
import { ensureAgPsdCanvas } from '../main/engine/document/ag-psd-canvas.ts';
import { suiteEditor, type EditorPage, type EditorSession } from './editor-page.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
const suite = suiteEditor('text-tool', SKIP);
const pageErrors = suite.errors;
let session: EditorSession;
let page: Page;
let ed: EditorPage;

const texts = async () => (await ed.doc()).layers.filter((l) => l.kind === 'text') as TextLayer[];
const waitLabel = (label: string) =>
  page.waitForFunction((l) => (window as unknown as { __lamina: { editor: { state: { snapshot: { undoLabel: string | null } } } } }).__lamina.editor.state.snapshot.undoLabel === l, label, { timeout: 10_000 });

test('Text tool: T, click, type, see the layer; restyle; double-click to edit; undo', { skip: SKIP, timeout: 120_000 }, async () => {
  session = suite.session; // opened by suiteEditor's before()
  ({ page, ed } = session);
  await page.click('[data-testid=file-new]');
  await page.fill('[data-testid=new-width]', '320');
  await page.fill('[data-testid=new-height]', '200');
  await page.click('[data-testid=new-create]');
  await page.waitForSelector('[data-testid=canvas] canvas');
  const empty = await ed.pixelAt(60, 60);

  await page.keyboard.press('t');
  await page.waitForSelector('[data-testid=tool-text][aria-pressed=true]');
  await page.fill('[data-testid=text-size]', '40');
  const at = await ed.toPage(20, 30);
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('[data-testid=text-edit-input]');
  await page.keyboard.type('Hello');
  await ed.shot('typing');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('[data-testid=text-edit-input]', { state: 'detached' });
  await waitLabel('Add Text');
  const [layer] = await texts();
  assert.ok(layer, 'a text layer was added');
  assert.deepEqual([layer.text, layer.x, layer.y, layer.fontSize, layer.fontFamily, layer.align], ['Hello', 20, 30, 40, 'DejaVu Sans', 'left']);
  assert.ok(layer.imageId && layer.width! > 80 && layer.height! >= 40, `rendered: ${layer.width}x${layer.height}`);
  await page.waitForTimeout(300);
  await ed.shot('placed');
  // the glyphs are on the canvas: pixels across the middle of its box are dark (black text over the checkerboard)
  let dark = 0;
  for (let x = layer.x + 4; x < layer.x + layer.width! - 4; x += 3) {
    const [r, g, b] = await ed.pixelAt(x, layer.y + layer.height! / 2);
    if (r + g + b < 200) dark++;
  }
  assert.ok(dark >= 3, `dark pixels across the text: ${dark}; empty canvas ${empty}`);

  // restyle the selected layer: colour red, centre
  await page.locator('[data-testid=text-colour]').evaluate((el: HTMLInputElement) => {
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    set.call(el, '#ff0000');
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => {
    const w = window as unknown as { __lamina: { editor: { document: { layers: { kind: string; color?: number[] }[] } } } };
    return w.__lamina.editor.document.layers[0].color?.[0] === 255;
  }, undefined, { timeout: 10_000 });
  await page.click('[data-testid=text-align-center]');
  await page.waitForFunction(() => {
    const w = window as unknown as { __lamina: { editor: { document: { layers: { align?: string }[] } } } };
    return w.__lamina.editor.document.layers[0].align === 'center';
  }, undefined, { timeout: 10_000 });
  const styled = (await texts())[0];
  assert.deepEqual(styled.color, [255, 0, 0, 255]);
  assert.notEqual(styled.imageId, layer.imageId, 're-rendered');

  // double-click with the move tool: edit the words
  await page.keyboard.press('v');
  const mid = await ed.toPage(layer.x + 20, layer.y + 20);
  await page.mouse.dblclick(mid.x, mid.y);
  await page.waitForSelector('[data-testid=text-edit-input]');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('Hi\nthere');
  await page.keyboard.press('Control+Enter');
  await waitLabel('Edit Text');
  const edited = (await texts())[0];
  assert.equal(edited.text, 'Hi\nthere');
  assert.equal(edited.color[0], 255);
  await page.waitForTimeout(300);
  await ed.shot('edited');

  // the browser's pixels go out with the text: ORA keeps the text fields, PSD is a text layer with pixels
  const { docId } = await ed.view();
  const ora = unzipSync(Buffer.from((await session.contract.call('export.bytes', { docId, format: 'ora' })).dataBase64, 'base64'));
  const saved = JSON.parse(new TextDecoder().decode(ora['lamina/document.json'])).document.layers[0];
  assert.deepEqual([saved.text, saved.fontFamily, saved.fontSize, saved.color, saved.align], ['Hi\nthere', 'DejaVu Sans', 40, [255, 0, 0, 255], 'center']);
  ensureAgPsdCanvas();
  const psd = readPsd(Buffer.from((await session.contract.call('export.bytes', { docId, format: 'psd' })).dataBase64, 'base64'), { useImageData: true });
  const psdText = psd.children!.find((c) => c.text);
  assert.ok(psdText, 'the PSD has a text layer');
  assert.equal(psdText.text!.text.replace(/\r/g, '\n'), 'Hi\nthere');
  assert.equal(psdText.text!.paragraphStyle?.justification, 'center');
  const px = psdText.imageData!;
  assert.deepEqual([px.width, px.height], [edited.width, edited.height]);
  let red = 0;
  for (let i = 0; i < px.data.length; i += 4) if (px.data[i] > 200 && px.data[i + 1] < 60 && px.data[i + 3] > 200) red++;
  assert.ok(red > 200, `red glyph pixels in the PSD layer: ${red}`);

  // undo: words, then style, then the layer
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => {
    const w = window as unknown as { __lamina: { editor: { document: { layers: { text?: string }[] } } } };
    return w.__lamina.editor.document.layers[0]?.text === 'Hello';
  }, undefined, { timeout: 10_000 });
  assert.deepEqual(pageErrors, []);
});

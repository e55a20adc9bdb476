// Data safety and honesty in a real browser (issue 12): the New dialog says what is out of
// range instead of clamping and offers the pack's native size; Ctrl+S on a new document
// saves into $LAMINA_HOME/projects (shown in the dialog), Save As renames the document and
// the export names follow; an export over the project itself and an export that fails in
// the engine say so in the dialog and in a toast; after a reload with unsaved work the
// document is offered back and recovered with its undo history. Screenshots go to
// e2e/artifacts/data-safety/.
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
const shots = artifactsDir('data-safety');
let session: EditorSession;
let page: Page;
let ed: EditorPage;
let work: string;
const pageErrors: string[] = [];

type W = { __lamina: { editor: { document: { name: string; layers: { name: string }[] } | null; state: { snapshot: { path: string | null; dirty: boolean; canUndo: boolean } | null }; toastLog: { kind: string; message: string }[] } } };
const editorDoc = () => page.evaluate(() => { const e = (window as unknown as W).__lamina.editor; return { name: e.document?.name, layers: e.document?.layers.length ?? 0, path: e.state.snapshot?.path ?? null, dirty: e.state.snapshot?.dirty, canUndo: e.state.snapshot?.canUndo }; });
const errorToasts = () => page.evaluate(() => (window as unknown as W).__lamina.editor.toastLog.filter((t) => t.kind === 'error').map((t) => t.message));

before(async () => {
  if (SKIP) return;
  for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(join(shots, f));
  work = mkdtempSync(join(tmpdir(), 'lamina-e2e-safety-'));
  await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 40, g: 160, b: 90, alpha: 1 } } }).png().toFile(join(work, 'green.png'));
  session = await openWatchedEditor(shots, pageErrors);
  ({ page, ed } = session);
});

after(async () => {
  await session?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('data safety: limits, native preset, save to projects, Save As names, export refusals and errors, reload recovery', { skip: SKIP, timeout: 240_000 }, async (t) => {
  const projects = join(session.served.home, '.lamina', 'projects');

  await t.test('New: out-of-range sizes are explained, not clamped; the pack\'s native size is a preset', async () => {
    // the pack list comes with app.info after connecting (slow on a loaded machine)
    await page.waitForSelector('[data-testid=pack-select] option[value=lamina-tiny]', { state: 'attached' });
    await page.click('[data-testid=file-new]');
    await page.fill('[data-testid=new-width]', '100000');
    await page.waitForSelector('[data-testid=new-width-error]');
    assert.equal(await page.textContent('[data-testid=new-width-error]'), 'Canvas size 100000 px is past the maximum 16384 px');
    assert.equal(await page.inputValue('[data-testid=new-width]'), '100000', 'the typed value stays (no silent clamp)');
    assert.equal(await page.isDisabled('[data-testid=new-create]'), true);
    const presets = await page.locator('[data-testid=new-preset] option').allTextContents();
    assert.ok(presets.some((p) => /native 128 × 128/.test(p)), `presets: ${presets.join(' | ')}`);
    await ed.shot('new-out-of-range');
    await page.selectOption('[data-testid=new-preset]', { label: presets.find((p) => /native 128/.test(p))! });
    await page.waitForFunction(() => (document.querySelector('[data-testid=new-width]') as HTMLInputElement).value === '128', undefined, { timeout: 5000 });
    await page.fill('[data-testid=new-width]', '256');
    await page.fill('[data-testid=new-height]', '256');
    assert.equal(await page.locator('[data-testid=new-width-error]').count(), 0);
    await page.click('[data-testid=new-create]');
    await page.waitForSelector('[data-testid=canvas] canvas');
  });

  await t.test('Generate panel: the native size and the enlargement are said; steps past the limit get a message', async () => {
    await page.waitForSelector('[data-testid=gen-native]');
    assert.match((await page.textContent('[data-testid=gen-native]')) ?? '', /generates at 128 × 128; on this 256 × 256 canvas the result is enlarged 2×/);
    assert.deepEqual(await page.locator('[data-testid=gen-upscale] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['lanczos', 'nearest']);
    await page.fill('[data-testid=gen-steps]', '3000');
    assert.equal(await page.textContent('[data-testid=gen-steps-error]'), 'Steps 3000 is past the maximum 200');
    await ed.shot('generate-panel-limits');
    await page.fill('[data-testid=gen-steps]', '20');
  });

  await t.test('Ctrl+S on a new document: Save As proposes the projects folder; the file lands there', async () => {
    await page.setInputFiles('[data-testid=import-input]', [join(work, 'green.png')]);
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 0) === 1);
    await page.locator('[data-testid=canvas]').click({ position: { x: 5, y: 5 } }); // focus off the text fields
    await page.keyboard.press('Control+s');
    await page.waitForSelector('[data-testid=saveas-dialog]');
    assert.equal(await page.textContent('[data-testid=projects-dir]'), projects);
    assert.equal(await page.inputValue('[data-testid=saveas-dialog-path]'), join(projects, 'Untitled.ora'));
    await ed.shot('save-as-projects');
    await page.click('[data-testid=saveas-dialog-confirm]');
    await page.waitForSelector('[data-testid=saveas-dialog]', { state: 'detached' });
    assert.ok(existsSync(join(projects, 'Untitled.ora')), 'saved in $LAMINA_HOME/projects, not the server\'s working directory');
    assert.equal(existsSync(join(process.cwd(), 'Untitled.ora')), false);
  });

  await t.test('Save As renames the document; the title and export names follow', async () => {
    await page.click('[data-testid=file-saveas]');
    await page.fill('[data-testid=saveas-dialog-path]', 'Poster.ora');
    await page.click('[data-testid=saveas-dialog-confirm]');
    await page.waitForSelector('[data-testid=saveas-dialog]', { state: 'detached' });
    const d = await editorDoc();
    assert.deepEqual([d.name, d.path], ['Poster', join(projects, 'Poster.ora')]);
    assert.match((await page.textContent('[data-testid=doc-title]')) ?? '', /^Poster/);
    assert.match(await page.title(), /^Poster/);
    await page.click('[data-testid=file-export]');
    assert.equal(await page.inputValue('[data-testid=export-path]'), join(projects, 'Poster.psd'));
  });

  await t.test('export over the project itself is refused; an engine failure is shown in the dialog and as a toast', async () => {
    await page.selectOption('[data-testid=export-format]', 'ora');
    await page.fill('[data-testid=export-path]', join(projects, 'Poster.ora'));
    await page.click('[data-testid=export-confirm]');
    await page.waitForSelector('[data-testid=dialog-error]');
    assert.match((await page.textContent('[data-testid=dialog-error]')) ?? '', /^Export failed: refusing to export over the input file/);
    await page.waitForSelector('[data-testid=toast-error]');
    assert.match((await page.textContent('[data-testid=toast-error]')) ?? '', /refusing to export over the input file/);
    await ed.shot('export-over-input-refused');
    await page.selectOption('[data-testid=export-format]', 'psd');
    await page.fill('[data-testid=export-path]', join(work, 'no', 'such', 'folder', 'x.psd'));
    await page.click('[data-testid=export-confirm]');
    await page.waitForFunction(() => /folder does not exist/.test(document.querySelector('[data-testid=dialog-error]')?.textContent ?? ''));
    assert.ok((await errorToasts()).some((m) => /could not save .*x\.psd: the folder does not exist/.test(m)), (await errorToasts()).join(' | '));
    assert.equal(await page.locator('[data-testid=export-dialog]').count(), 1, 'the dialog stays open to fix the path');
    await ed.shot('export-error');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=export-dialog]', { state: 'detached' });
  });

  await t.test('reload with unsaved work: the document is offered back and recovered with its history', async () => {
    await page.setInputFiles('[data-testid=import-input]', [join(work, 'green.png')]);
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 0) === 2);
    assert.equal((await editorDoc()).dirty, true);
    await page.reload();
    await page.waitForSelector('[data-testid=recovery-dialog]', { timeout: 20_000 });
    assert.match((await page.textContent('[data-testid=recovery-dialog]')) ?? '', /Poster/);
    await ed.shot('reload-recovery-offered');
    await page.locator('[data-testid=recovery-dialog] button.primary').first().click();
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 0) === 2);
    const d = await editorDoc();
    assert.deepEqual([d.name, d.layers, d.dirty, d.canUndo], ['Poster', 2, true, true]);
    await page.waitForTimeout(300);
    await ed.shot('reload-recovered');
  });

  await t.test('regenerate the area under a region: a new layer holding just the box; outside it the picture is unchanged', async () => {
    const before = await ed.pixelAt(55, 55);
    await ed.drawRegion([10, 10, 40, 40], 'a large red circle');
    await page.waitForSelector('[data-testid=regen-area]');
    await page.fill('[data-testid=regen-strength]', '0.8');
    await page.click('[data-testid=regen-area]');
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 0) === 4, undefined, { timeout: 60_000 });
    const top = (await ed.doc()).layers[0] as { kind: string; x: number; y: number; width: number; height: number; name: string };
    assert.deepEqual([top.kind, top.x, top.y, top.width, top.height], ['raster', 10, 10, 40, 40]);
    assert.match(top.name, /^a large red circle · seed \d+$/);
    await page.waitForTimeout(300);
    assert.deepEqual(await ed.pixelAt(55, 55), before, 'outside the area the canvas shows what it showed');
    await ed.shot('regenerated-area');
  });

  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

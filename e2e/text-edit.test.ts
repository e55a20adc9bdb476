// Issue 18 item 2 in a real browser against `lamina serve` and the shipped pack: a layer is
// generated, Edit Text opens from its context menu, an unknown word gets the closest
// vocabulary words, a box is dragged around the word, one prompt word changes and Apply
// puts new pixels into the layer in place (one undo step, provenance records the edit);
// undo restores the pixels. The panel's screenshot goes to docs/images/edit-text.png,
// the rest to e2e/artifacts/text-edit/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generatedLayerName } from '../main/engine/pipelines/denoise/generation-provenance.ts';
import { ROOT } from './harness.ts';
import { suiteEditor, type EditorPage } from './editor-page.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
const suite = suiteEditor('text-edit', SKIP);
const PROMPT = 'a large red star on a white background with the word cat';
let page: Page;
let ed: EditorPage;

type Lyr = { id: string; name: string; imageId: string; provenance: { task: string; params: Record<string, unknown> } | null };
type W = { __lamina: { editor: { document: { layers: Lyr[] } | null; state: { job: unknown; snapshot: { undoLabel: string | null } } } } };
const firstLayer = () => page.evaluate(() => (window as unknown as W).__lamina.editor.document!.layers[0]);

test('Edit Text in the editor: generate, change one prompt word in a box, Apply, undo', { skip: SKIP, timeout: 300_000 }, async (t) => {
  ({ page, ed } = suite.session);
  let layer: Lyr;
  let original: Uint8Array;
  const pixels = async (imageId: string) => (await ed.contract.call('document.image', { docId: (await ed.view()).docId, imageId })).rgba;

  await t.test('a generated layer', async () => {
    await ed.newDocument(128, 128);
    await page.fill('[data-testid=gen-prompt]', PROMPT);
    const { added } = await ed.generateWith('gen-button', 180_000);
    assert.equal(added.length, 1);
    layer = (await firstLayer()) as Lyr;
    assert.equal(layer.provenance?.task, 'generate');
    original = await pixels(layer.imageId);
  });

  await t.test('Edit Text from the layer\'s context menu: the prompt\'s words, an unknown word gets suggestions, a box on the canvas', async () => {
    await page.click(`[data-testid=layer-row-${layer.id}]`, { button: 'right' });
    await page.click('[data-testid=ctx-edit-text]');
    await page.waitForSelector('[data-testid=text-edit-panel]');
    assert.equal(await page.getAttribute('[data-testid=canvas]', 'data-tool-path'), 'word-box.idle', 'the word-box tool is picked');
    const words = await page.locator('[data-testid=text-edit-words] button').allInnerTexts();
    assert.deepEqual(words, ['a', 'large', 'red', 'star', 'on', 'white', 'background', 'with', 'the', 'word', 'cat']);
    assert.equal(await page.locator('[data-testid=text-edit-apply]').isDisabled(), true, 'nothing picked yet');
    await page.click('[data-testid=text-edit-word-cat]');
    await page.fill('[data-testid=text-edit-to]', 'dgo');
    await page.waitForSelector('[data-testid=text-edit-suggestions]');
    assert.match((await page.textContent('[data-testid=text-edit-problem]')) ?? '', /"dgo" \(did you mean .*"dog".*\) is not in model pack vocabulary/);
    assert.equal(await page.locator('[data-testid=text-edit-apply]').isDisabled(), true);
    await page.click('[data-testid=text-edit-suggestion-dog]');
    assert.equal(await page.inputValue('[data-testid=text-edit-to]'), 'dog');
    assert.match((await page.textContent('[data-testid=text-edit-preview]')) ?? '', /with the word dog/);
    // the box around the word (the tiny pack draws it near the top with this seed)
    await ed.dragMouse(await ed.toPage(20, 6), await ed.toPage(110, 44), 8);
    assert.equal(await page.getAttribute('[data-testid=canvas]', 'data-word-box'), '20,6,90,38');
    assert.match((await page.textContent('[data-testid=text-edit-box]')) ?? '', /Box 90 × 38 at 20, 6: only these pixels change/);
    assert.equal(await page.locator('[data-testid=text-edit-apply]').isDisabled(), false);
    await page.waitForTimeout(200);
    mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'docs', 'images', 'edit-text.png'), clip: await panelAndCanvasClip() });
    await page.locator('[data-testid=text-edit-panel]').screenshot({ path: join(ROOT, 'e2e', 'artifacts', 'text-edit', 'panel.png') });
    await ed.shot('edit-text-open');
  });

  await t.test('Apply: progress, then new pixels in the layer in place, one undo step with the edit in its provenance; undo restores', async () => {
    await page.click('[data-testid=text-edit-apply]');
    await page.waitForSelector('[data-testid=text-edit-progress]', { timeout: 10_000 }).catch(() => { /* a fast job may finish first */ });
    await page.waitForFunction(() => (window as unknown as W).__lamina.editor.document?.layers[0]?.provenance?.task === 'text-edit', null, { timeout: 180_000 }).catch(async (err) => {
      const toast = page.locator('[data-testid=toast-error]');
      throw new Error((await toast.count()) ? `text edit failed: ${await toast.last().innerText()}` : String(err));
    });
    await page.waitForSelector('[data-testid=text-edit-panel]', { state: 'detached' });
    const after = (await firstLayer()) as Lyr;
    assert.equal(after.id, layer.id, 'in place: the same layer');
    assert.equal((await page.evaluate(() => (window as unknown as W).__lamina.editor.document!.layers.length)), 1);
    assert.equal(await page.evaluate(() => (window as unknown as W).__lamina.editor.state.snapshot.undoLabel), 'Edit Text');
    const edit = after.provenance!.params.textEdit as { from: string; to: string; box: number[]; prompt: string };
    assert.deepEqual([edit.from, edit.to, edit.box, edit.prompt], ['cat', 'dog', [20, 6, 90, 38], PROMPT.replace('cat', 'dog')]);
    const edited = await pixels(after.imageId);
    assert.notDeepEqual(edited, original, 'the pixels changed');
    assert.deepEqual(edited.subarray(128 * 4 * 44), original.subarray(128 * 4 * 44), 'below the box nothing changed');
    // the layer was still named after its prompt: it is named after the edited one (the name
    // rule cuts prompts at 48 characters, so here the edited word falls outside it), and the
    // layers panel shows that name
    assert.equal(after.name, generatedLayerName({ prompt: PROMPT.replace('cat', 'dog'), seed: (after.provenance as unknown as { seed: number }).seed }));
    assert.equal((await page.locator(`[data-testid=layer-row-${layer.id}] .name`).innerText()).trim(), after.name);
    await page.waitForTimeout(300);
    await ed.shot('edited');
    await page.click('[data-testid=undo]');
    await page.waitForFunction(() => (window as unknown as W).__lamina.editor.document?.layers[0]?.provenance?.task === 'generate', null, { timeout: 10_000 });
    const undone = (await firstLayer()) as Lyr;
    assert.equal(undone.imageId, layer.imageId);
    assert.deepEqual(await pixels(undone.imageId), original, 'undo restores the pixels');
    assert.equal(undone.name, layer.name, 'and the name');
    await ed.shot('undone');
    assert.deepEqual(suite.errors, []);
  });

  await t.test('an edited layer (redo) edits again: its panel shows the edited prompt', async () => {
    await page.click('[data-testid=redo]');
    await page.waitForFunction(() => (window as unknown as W).__lamina.editor.document?.layers[0]?.provenance?.task === 'text-edit', null, { timeout: 10_000 });
    await page.click(`[data-testid=layer-row-${layer.id}] .name`);
    const btn = page.locator('[data-testid=props-edit-text]');
    assert.equal(await btn.isDisabled(), false);
    await btn.click();
    const panel = page.locator('[data-testid=text-edit-panel]');
    await panel.waitFor({ timeout: 10_000 });
    const words = await page.locator('[data-testid=text-edit-words] button').allInnerTexts();
    assert.ok(words.includes('dog') && !words.includes('cat'), `the edited prompt's words: ${words.join(' ')}`);
    assert.deepEqual(suite.errors, []);
  });
});

/** The left panels and the canvas, for the docs screenshot. */
async function panelAndCanvasClip() {
  const panel = (await page.locator('[data-testid=text-edit-panel]').boundingBox())!;
  const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
  const x = Math.max(0, panel.x - 4), y = Math.max(0, Math.min(panel.y, canvas.y) - 4);
  return { x, y, width: canvas.x + canvas.width - x, height: Math.max(panel.y + panel.height + 8, canvas.y + canvas.height) - y };
}

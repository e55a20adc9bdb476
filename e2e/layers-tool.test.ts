// Issue 17 item 2 in a real browser: the Layers tool (A) draws anonymous boxes (undoable
// tool state), one prompt generates them as a named group (Box 2, Box 1, Background; one
// undo step), a box layer's alpha stays inside its box, and "Re-generate box 1" replaces
// only that layer's pixels. Runs on the random-weight fixture ART pack (64 px, always
// present), added to the server's packs with LAMINA_PACKS. Screenshots go to
// e2e/artifacts/layers-tool/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { FIXTURE_ART_PACK_DIR } from '../main/engine/testing/test-packs.ts';
import { suiteEditor, type EditorPage, type EditorSession } from './editor-page.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
process.env.LAMINA_PACKS = dirname(FIXTURE_ART_PACK_DIR); // the fixture ART pack, for the server this suite starts
const suite = suiteEditor('layers-tool', SKIP);
const pageErrors = suite.errors;
let session: EditorSession;
let page: Page;
let ed: EditorPage;

type Lyr = { id: string; kind: string; name: string; imageId?: string; width?: number; children?: Lyr[]; provenance?: { seed: number; params: { art?: { box?: number; tokenBoxes: number[][] } } } | null };
type W = { __lamina: { editor: { document: { layers: Lyr[] } | null; state: { layerBoxes: { boxes: { x: number; y: number; width: number; height: number }[] }; tool: string }; select(ids: string[]): void } } };
const layers = () => page.evaluate(() => (window as unknown as W).__lamina.editor.document?.layers ?? []);
const boxes = () => page.evaluate(() => (window as unknown as W).__lamina.editor.state.layerBoxes.boxes.map((b) => [b.x, b.y, b.width, b.height]));
const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
const PROMPT = 'a large red star and a small blue circle on a white background';
// the fixture's 4 x 4 token grid on this 128 px canvas: 32 px tokens
const TOKEN_PX = 32;

test('layers tool: draw boxes, one prompt, generate a group, undo / redo it, re-generate one box', { skip: SKIP, timeout: 300_000 }, async (t) => {
  session = suite.session; // opened by suiteEditor's before()
  ({ page, ed } = session);
  await t.test('a 128 x 128 document; the fixture ART pack is offered', async () => {
    await page.click('[data-testid=file-new]');
    await page.fill('[data-testid=new-width]', '128');
    await page.fill('[data-testid=new-height]', '128');
    await page.click('[data-testid=new-create]');
    await page.waitForSelector('[data-testid=canvas] canvas');
    await blur();
    await page.keyboard.press('a');
    await page.waitForSelector('[data-testid=tool-layers][aria-pressed=true]');
    await page.waitForSelector('[data-testid=layers-pack-select] option[value=fixture-tiny-art]', { state: 'attached' });
    await page.keyboard.press('Shift+Slash');
    await page.waitForSelector('[data-testid=shortcuts-sheet]');
    assert.match((await page.textContent('[data-testid=shortcuts-sheet]')) ?? '', /ALayers: anonymous boxes, one prompt/, 'the sheet lists A for the Layers tool');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=shortcuts-sheet]', { state: 'detached' });
  });

  await t.test('two boxes drawn with the mouse; undo and redo take the boxes back and forth; no document layer', async () => {
    await ed.dragMouse(await ed.toPage(8, 8), await ed.toPage(56, 56));
    await ed.dragMouse(await ed.toPage(60, 40), await ed.toPage(120, 116));
    await page.waitForSelector('[data-testid=canvas][data-layer-boxes="2"]');
    const drawn = await boxes();
    assert.equal(drawn.length, 2);
    for (const [b, want] of drawn.map((b, i) => [b, [[8, 8, 48, 48], [60, 40, 60, 76]][i]] as const)) {
      assert.ok(b.every((v, k) => Math.abs(v - want[k]) <= 1), `box ${JSON.stringify(b)} ~ ${JSON.stringify(want)}`);
    }
    assert.equal((await layers()).length, 0, 'boxes are not document layers');
    await page.keyboard.press('Control+z');
    await page.waitForSelector('[data-testid=canvas][data-layer-boxes="1"]');
    await page.keyboard.press('Control+Shift+z');
    await page.waitForSelector('[data-testid=canvas][data-layer-boxes="2"]');
    assert.deepEqual(await boxes(), drawn);
    await page.waitForTimeout(150);
    await ed.shot('two-boxes-drawn');
  });

  await t.test('no prompt: the engine\'s refusal is an error toast', async () => {
    await page.click('[data-testid=layers-generate]');
    await page.waitForSelector('[data-testid=toast-error]');
    assert.match((await page.textContent('[data-testid=toast-error]')) ?? '', /needs a prompt/);
    await ed.shot('no-prompt-toast');
    await page.click('[data-testid=toast-error] button');
  });

  let group: Lyr;
  await t.test('one prompt, Generate: the layers land as one named group, Box 2, Box 1, Background', async () => {
    await page.fill('[data-testid=layers-prompt]', PROMPT);
    assert.equal(await page.locator('.layers-task-panel mark.unknown-word').count(), 0, 'the pack knows every word');
    await page.fill('[data-testid=layers-steps]', '4');
    await page.selectOption('[data-testid=layers-pack-select]', 'fixture-tiny-art');
    await page.click('[data-testid=layers-generate]');
    await page.waitForFunction(() => (window as unknown as W).__lamina.editor.document?.layers[0]?.kind === 'group', null, { timeout: 120_000 });
    await page.waitForSelector('[data-testid=toast-success]');
    const ls = await layers();
    assert.equal(ls.length, 1);
    group = ls[0];
    assert.match(group.name, /^a large red star .*· seed \d+$/);
    assert.deepEqual(group.children!.map((l) => l.name), ['Box 2', 'Box 1', 'Background']);
    assert.ok(group.children!.every((l) => l.kind === 'raster' && l.width === 128), 'ordinary canvas-sized raster layers');
    assert.deepEqual(group.children!.map((l) => l.provenance?.params.art?.box), [1, 0, undefined]);
    await page.waitForTimeout(300);
    await ed.shot('group-landed');
  });

  await t.test('a box layer\'s alpha is zero outside its box (snapped outward to the token grid) and not empty inside', async () => {
    const { docId } = await ed.view();
    const drawn = await boxes();
    for (const k of [0, 1]) {
      const layer = group.children![1 - k];
      const [tx0, ty0, tx1, ty1] = layer.provenance!.params.art!.tokenBoxes[k].map((v) => v * TOKEN_PX);
      const [bx, by, bw, bh] = drawn[k];
      assert.ok(tx0 <= bx && ty0 <= by && tx1 >= bx + bw && ty1 >= by + bh && tx0 > bx - TOKEN_PX && tx1 < bx + bw + TOKEN_PX, `box ${k + 1}'s token box [${tx0}, ${ty0}, ${tx1}, ${ty1}) holds it, within a token`);
      const img = await session.contract.call('document.image', { docId, imageId: layer.imageId! });
      let outside = 0, inside = 0;
      for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) {
        const a = img.rgba[(y * 128 + x) * 4 + 3];
        if (x >= tx0 && x < tx1 && y >= ty0 && y < ty1) inside += a; else outside += a;
      }
      assert.equal(outside, 0, `${layer.name}: no alpha outside its box`);
      assert.ok(inside > 0, `${layer.name}: something inside its box`);
    }
  });

  await t.test('undo removes the whole group (one step); redo brings it back', async () => {
    await blur();
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 1) === 0);
    assert.equal((await boxes()).length, 2, 'the boxes stay');
    await page.waitForTimeout(200);
    await ed.shot('undone');
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction(() => ((window as unknown as W).__lamina.editor.document?.layers.length ?? 0) === 1);
    assert.deepEqual(await layers(), [group], 'the same group, the same layers');
  });

  await t.test('re-generate box 1: only its pixels change; Box 2 and the background are byte-identical', async () => {
    const { docId } = await ed.view();
    const [box2, box1, bg] = group.children!;
    const bytes = async (imageId: string) => Buffer.from((await session.contract.call('document.image', { docId, imageId })).rgba);
    const before2 = await bytes(box2.imageId!), beforeBg = await bytes(bg.imageId!), before1 = await bytes(box1.imageId!);
    // the context menu of the layer offers it
    await page.evaluate((id) => (window as unknown as W).__lamina.editor.select([id]), box1.id);
    await page.locator(`[data-testid=layer-row-${box1.id}]`).click({ button: 'right' });
    await page.waitForSelector('[data-testid=ctx-regenerate-box]');
    assert.match((await page.textContent('[data-testid=ctx-regenerate-box]')) ?? '', /Re-generate This Box \(Box 1\)/);
    await ed.shot('context-menu');
    await page.click('[data-testid=ctx-regenerate-box]');
    await page.waitForFunction((old) => {
      const g = (window as unknown as W).__lamina.editor.document?.layers[0];
      return !!g?.children && g.children[1].imageId !== old;
    }, box1.imageId, { timeout: 120_000 });
    const now = (await layers())[0].children!;
    assert.deepEqual(now.map((l) => l.id), [box2.id, box1.id, bg.id], 'same layers in the same order');
    assert.deepEqual(now[0], box2, 'Box 2 untouched');
    assert.deepEqual(now[2], bg, 'the background untouched');
    assert.notEqual(now[1].provenance!.seed, box1.provenance!.seed, 'a new seed');
    assert.ok((await bytes(box2.imageId!)).equals(before2), 'Box 2 pixels byte-identical');
    assert.ok((await bytes(bg.imageId!)).equals(beforeBg), 'background pixels byte-identical');
    assert.ok(!(await bytes(now[1].imageId!)).equals(before1), 'Box 1 has new pixels');
    await page.keyboard.press('v');
    await page.evaluate(() => (window as unknown as W).__lamina.editor.select([]));
    await page.waitForTimeout(300);
    await ed.shot('box-1-regenerated');
    await page.keyboard.press('Control+z');
    await page.waitForFunction((old) => (window as unknown as W).__lamina.editor.document?.layers[0]?.children?.[1].imageId === old, box1.imageId);
  });

  assert.deepEqual(pageErrors, []);
});

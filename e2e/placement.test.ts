// Placement in the browser editor (issue 14): a world scene as the background layer and
// one of its objects as a layer above it; "Suggest placements" shows the top-5 ghosts;
// with the heatmap on, dragging the object shows the heatmap overlay (never blocking the
// drag), and a release near a hot spot snaps the layer onto it. Screenshots:
// e2e/artifacts/placement/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openEditor, type EditorPage, type EditorSession } from './editor-page.ts';
import { artifactsDir, ROOT } from './harness.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
const FIX = join(ROOT, 'main', 'engine', 'pipelines', 'fixtures', 'placement');
const shots = artifactsDir('placement');
let session: EditorSession;
let page: Page;
let ed: EditorPage;
const pageErrors: string[] = [];

before(async () => {
  if (SKIP) return;
  for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(join(shots, f));
  session = await openEditor(shots, (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
  ({ page, ed } = session);
});
after(async () => {
  await session?.close();
});

type Win = { __lamina: { editor: { document: { layers: { id: string; name: string; x: number; y: number }[] } | null; selection: string[]; placement: { state: { heatmap: unknown; showHeatmap: boolean; lastSnap: { dx: number; dy: number } | null; ghosts: { rects: unknown[] } | null } } } } };

test('placement: suggest top-5 ghosts, heatmap while dragging, snap on release', { skip: SKIP, timeout: 180_000 }, async () => {
  await page.click('[data-testid=file-new]');
  await page.fill('[data-testid=new-width]', '128');
  await page.fill('[data-testid=new-height]', '128');
  await page.click('[data-testid=new-create]');
  await page.waitForSelector('[data-testid=canvas] canvas');
  await page.setInputFiles('[data-testid=import-input]', [join(FIX, 'scene-0-background.png')]);
  await ed.waitForOrder(['scene-0-background']);
  await page.setInputFiles('[data-testid=import-input]', [join(FIX, 'scene-0-object.png')]);
  await ed.waitForOrder(['scene-0-object', 'scene-0-background']);
  const objId = (await ed.doc()).layers[0].id;

  // select the object (click on its pixels: its alpha box is x 10-26, y 94-109 of 128)
  await page.keyboard.press('v');
  const onObject = await ed.toPage(18, 104);
  await page.mouse.click(onObject.x, onObject.y);
  await page.waitForFunction((id) => (window as unknown as Win).__lamina.editor.selection[0] === id, objId);

  // suggest placements: five ghosts, listed in the panel
  await page.click('[data-testid=suggest-placements]');
  try {
    await page.waitForSelector('[data-testid=canvas][data-placement-ghosts="5"]', { timeout: 60_000 });
  } catch (err) {
    await ed.shot('no-ghosts');
    const toasts = await page.evaluate(() => (window as unknown as { __lamina: { editor: { toastLog: unknown[] } } }).__lamina.editor.toastLog);
    throw new Error(`no ghosts; toasts: ${JSON.stringify(toasts)}; ${(err as Error).message.split('\n')[0]}`);
  }
  assert.equal(await page.locator('[data-testid=placement-list] [data-testid^=placement-]').count(), 5);
  await page.waitForTimeout(200);
  await ed.shot('suggested-placements');
  assert.equal(await page.isChecked('[data-testid=placement-live]'), true, 'suggesting turns the live heatmap on');

  // drag the object: the heatmap shows while dragging; the drag is not blocked by it
  const h = await page.evaluate(() => {
    const hm = (window as unknown as { __lamina: { editor: { placement: { state: { heatmap: { width: number; height: number; values: Float32Array; max: number; box: { x0: number; x1: number; y1: number } } } } } } }).__lamina.editor.placement.state.heatmap;
    // the hottest cell of the current-scale map (cell = bottom-centre of the object's box)
    let best = 0;
    for (let k = 1; k < hm.values.length; k++) if (hm.values[k] > hm.values[best]) best = k;
    return { i: Math.floor(best / hm.width), j: best % hm.width, width: hm.width, height: hm.height, box: hm.box };
  });
  // aim the box's bottom-centre 2 cells (4 px) off the hot spot, so the release must snap
  const cell = 128 / h.width;
  const target = { x: (h.j + 0.5) * cell + 2 * cell, y: (h.i + 0.5) * cell - 2 * cell };
  const grabDoc = { x: 18, y: 104 };
  const layer0 = (await ed.doc()).layers[0];
  const anchor = { x: layer0.x + (h.box.x0 + h.box.x1) / 2, y: layer0.y + h.box.y1 };
  const dropDoc = { x: grabDoc.x + target.x - anchor.x, y: grabDoc.y + target.y - anchor.y };
  const from = await ed.toPage(grabDoc.x, grabDoc.y);
  const to = await ed.toPage(dropDoc.x, dropDoc.y);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(from.x + ((to.x - from.x) * k) / 10, from.y + ((to.y - from.y) * k) / 10);
  await page.waitForSelector('[data-testid=canvas][data-placement-heatmap=shown]', { timeout: 10_000 });
  const during = await page.evaluate(() => (window as unknown as Win).__lamina.editor.placement.state.showHeatmap);
  assert.equal(during, true, 'the heatmap overlay shows during the drag');
  await page.waitForTimeout(150);
  await ed.shot('dragging-with-heatmap');
  await page.mouse.up();

  // released 2 cells off the hot spot: it snapped onto it
  await page.waitForFunction(() => (window as unknown as Win).__lamina.editor.placement.state.lastSnap !== null, undefined, { timeout: 10_000 });
  await page.waitForFunction(({ id, x0 }) => ((window as unknown as Win).__lamina.editor.document?.layers.find((l) => l.id === id)?.x ?? x0) !== x0, { id: objId, x0: layer0.x });
  const moved = (await ed.doc()).layers.find((l) => l.id === objId)!;
  const bx = moved.x + (h.box.x0 + h.box.x1) / 2, by = moved.y + h.box.y1;
  const hot = { x: (h.j + 0.5) * cell, y: (h.i + 0.5) * cell };
  assert.ok(Math.abs(bx - hot.x) <= 1 && Math.abs(by - hot.y) <= 1, `snapped box bottom-centre ${bx},${by} onto the hot spot ${hot.x},${hot.y} (dropped at ${target.x},${target.y})`);
  await page.waitForSelector('[data-testid=canvas][data-placement-heatmap=hidden]');
  await page.waitForTimeout(150);
  await ed.shot('snapped');

  // choosing a suggestion moves (and scales) the layer there: one undo step
  await page.click('[data-testid=suggest-placements]');
  await page.waitForSelector('[data-testid=canvas][data-placement-ghosts="5"]', { timeout: 30_000 });
  await page.click('[data-testid=placement-0]');
  await page.waitForSelector('[data-testid=canvas][data-placement-ghosts="0"]');
  assert.deepEqual(pageErrors, []);
});

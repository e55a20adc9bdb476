// The editor as a test sees it: the page's viewport, document <-> page coordinates, mouse
// drags, screenshots and the engine's copy of the document. Shared by the e2e suites.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import type { Layer, LaminaDocument } from '../common/document/document-schema.ts';
import { artifactsDir, buildRenderer, launch, startServe, WsContract, type Served } from './harness.ts';

export interface View { docId: string; zoom: number; vx: number; vy: number; left: number; top: number }

export class EditorPage {
  private shotNo = 0;

  constructor(
    readonly page: Page,
    readonly contract: WsContract,
    private readonly shotsDir: string,
  ) {}

  /** Saves a numbered screenshot of the whole window into the suite's artifacts. */
  async shot(name: string): Promise<string> {
    const path = join(this.shotsDir, `${String(++this.shotNo).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async view(): Promise<View> {
    return this.page.evaluate(() => {
      const w = window as unknown as { __lamina: { editor: { docId: string; state: { viewport: { zoom: number; x: number; y: number } } } } };
      const e = w.__lamina.editor;
      const r = document.querySelector('[data-testid=canvas]')!.getBoundingClientRect();
      return { docId: e.docId, zoom: e.state.viewport.zoom, vx: e.state.viewport.x, vy: e.state.viewport.y, left: r.left, top: r.top };
    });
  }

  /** Page coordinates of a canvas (document) point. */
  async toPage(x: number, y: number): Promise<{ x: number; y: number }> {
    const v = await this.view();
    return { x: v.left + v.vx + x * v.zoom, y: v.top + v.vy + y * v.zoom };
  }

  /** The colour the window shows at a canvas point. */
  async pixelAt(x: number, y: number): Promise<[number, number, number]> {
    const p = await this.toPage(x, y);
    const buf = await this.page.screenshot({ clip: { x: Math.round(p.x) - 1, y: Math.round(p.y) - 1, width: 3, height: 3 } });
    const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const i = (1 * info.width + 1) * info.channels;
    return [data[i], data[i + 1], data[i + 2]];
  }

  /** The engine's copy of the open document. */
  async doc(): Promise<LaminaDocument> {
    const { docId } = await this.view();
    return (await this.contract.call('document.get', { docId })).document;
  }

  async dragMouse(from: { x: number; y: number }, to: { x: number; y: number }, steps = 12): Promise<void> {
    await this.page.mouse.move(from.x, from.y);
    await this.page.mouse.down();
    for (let i = 1; i <= steps; i++) await this.page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
    await this.page.mouse.up();
  }

  /** File > New at width x height, waiting for the canvas. */
  async newDocument(width: number, height: number): Promise<void> {
    await this.page.click('[data-testid=file-new]');
    await this.page.fill('[data-testid=new-width]', String(width));
    await this.page.fill('[data-testid=new-height]', String(height));
    await this.page.click('[data-testid=new-create]');
    await this.page.waitForSelector('[data-testid=canvas] canvas');
  }

  /** Draws a box region with the region tool (R) and types its prompt in place. */
  async drawRegion(box: [number, number, number, number], prompt: string): Promise<void> {
    const [x, y, w, h] = box;
    await this.page.keyboard.press('r');
    await this.dragMouse(await this.toPage(x, y), await this.toPage(x + w, y + h));
    await this.page.waitForSelector('[data-testid=region-prompt-input]');
    await this.page.fill('[data-testid=region-prompt-input]', prompt);
    await this.page.keyboard.press('Enter');
    await this.page.waitForSelector('[data-testid=region-prompt-input]', { state: 'detached' });
    // Enter closes the field at once; the prompt (and the overlay colour that follows it)
    // lands when the engine has applied the edit.
    await this.page.waitForFunction((p) => {
      type Doc = { layers: { kind: string; prompt?: string }[] } | null;
      const doc = (window as unknown as { __lamina: { editor: { document: Doc } } }).__lamina.editor.document;
      return doc?.layers.some((l) => l.kind === 'region' && l.prompt === p) ?? false;
    }, prompt, { timeout: 10_000 });
  }

  /** Presses a generate button, waits for the job to finish (a failure toast becomes the
   * error) and returns the layers it added, front first, with the document after. */
  async generateWith(button: 'gen-button' | 'gen-rebind', timeoutMs = 120_000): Promise<{ added: Layer[]; doc: LaminaDocument }> {
    const before = await this.doc();
    const known = new Set(before.layers.map((l) => l.id));
    await this.page.click(`[data-testid=${button}]`);
    await this.page.waitForSelector('[data-testid=gen-progress]', { timeout: 10_000 }).catch(() => { /* a fast job may finish first */ });
    await this.page.waitForFunction((n) => {
      const w = window as unknown as { __lamina: { editor: { state: { job: unknown }; document: { layers: unknown[] } | null } } };
      const e = w.__lamina.editor;
      return !e.state.job && (e.document?.layers.length ?? 0) > n;
    }, before.layers.length, { timeout: timeoutMs }).catch(async (err) => {
      const toast = this.page.locator('[data-testid=toast-error]');
      throw new Error((await toast.count()) ? `generation failed: ${await toast.last().innerText()}` : String(err));
    });
    const doc = await this.doc();
    return { added: doc.layers.filter((l) => !known.has(l.id)), doc };
  }

  /** Waits until the editor's own snapshot lists these layer names, front to back. */
  async waitForOrder(expected: string[]): Promise<void> {
    await this.page.waitForFunction((exp) => {
      const w = window as unknown as { __lamina: { editor: { document: { layers: { name: string }[] } | null } } };
      const ls = w.__lamina.editor.document?.layers.map((l) => l.name) ?? [];
      return JSON.stringify(ls) === JSON.stringify(exp);
    }, expected, { timeout: 10_000 });
    await this.page.waitForTimeout(150); // let Konva paint
  }

  /** Drags a layers-panel row onto the top fifth of another row (= in front of it). */
  async dragRowAbove(srcId: string, dstId: string, during?: () => Promise<unknown>): Promise<void> {
    await this.page.locator(`[data-testid=layer-row-${srcId}]`).scrollIntoViewIfNeeded();
    const src = (await this.page.locator(`[data-testid=layer-row-${srcId}]`).boundingBox())!;
    const dst = (await this.page.locator(`[data-testid=layer-row-${dstId}]`).boundingBox())!;
    const x = src.x + src.width / 2;
    const y0 = src.y + src.height / 2;
    const y1 = dst.y + dst.height * 0.2;
    await this.page.mouse.move(x, y0);
    await this.page.mouse.down();
    for (let i = 1; i <= 10; i++) await this.page.mouse.move(x, y0 + (y1 - y0) * (i / 10));
    await during?.();
    await this.page.mouse.up();
  }
}

export interface EditorSession {
  served: Served;
  contract: WsContract;
  browser: Awaited<ReturnType<typeof launch>>;
  page: Page;
  ed: EditorPage;
  close(): Promise<void>;
}

/** Builds the renderer, starts `lamina serve`, opens the editor in Chromium and waits
 * until it is connected. `setup` runs on the page before it loads (listeners). */
export async function openEditor(shotsDir: string, setup?: (page: Page) => void): Promise<EditorSession> {
  buildRenderer();
  const served = await startServe();
  const contract = new WsContract(served.port);
  const browser = await launch();
  const page = browser.page;
  setup?.(page);
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=app][data-connection=open]', { timeout: 20_000 });
  return {
    served, contract, browser, page, ed: new EditorPage(page, contract, shotsDir),
    async close() {
      contract.close();
      await browser.close();
      await served.stop();
    },
  };
}

/** openEditor for a suite that accepts every browser dialog (the unsaved-changes guard)
 * and collects the page's uncaught errors into `errors`. */
export function openWatchedEditor(shotsDir: string, errors: string[]): Promise<EditorSession> {
  return openEditor(shotsDir, (p) => {
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('dialog', (d) => void d.accept());
  });
}

/** A suite's watched editor, opened in before() (after clearing the suite's screenshots in
 * e2e/artifacts/<name>/) and closed in after(); `skip`: a reason to open nothing. */
export function suiteEditor(name: string, skip: string | false): { session: EditorSession; errors: string[] } {
  const suite = { session: undefined as unknown as EditorSession, errors: [] as string[] };
  const shots = artifactsDir(name);
  before(async () => {
    if (skip) return;
    for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(join(shots, f));
    suite.session = await openWatchedEditor(shots, suite.errors);
  });
  after(async () => {
    await suite.session?.close();
  });
  return suite;
}

// Generation UI against a scripted job, through the Electron transport: the page gets a
// stand-in `window.lamina` preload (call/on) that forwards every call to `lamina serve`
// over its WebSocket, except jobs.start/jobs.cancel, which it answers with a scripted job
// (queued, loading, step 1..n with previews, done or cancelled) at a pace the test sets.
// Checks the progress bar and step count, the throttled live preview and Cancel; the real
// pipelines finish a 128 px image in well under a second here, too fast to time a throttle
// (editor.test.ts and layerbind.test.ts run them for real).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifactsDir, buildRenderer, launch, startServe, type Served } from './harness.ts';

const SKIP = !existsSync('/usr/bin/chromium') && !process.env.LAMINA_CHROMIUM ? 'Debian chromium is not installed (/usr/bin/chromium)' : false;
const shots = artifactsDir('generate');

const FAKE_PRELOAD = String.raw`(() => {
  const ws = new WebSocket('ws://' + location.host + '/ws');
  const open = new Promise((r) => ws.addEventListener('open', r));
  let seq = 1;
  const pending = new Map();
  const listeners = new Map();
  const emit = (event, payload) => (listeners.get(event) || new Set()).forEach((l) => l(payload));
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if ('event' in m) return emit(m.event, m.payload);
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p.resolve(m.output);
    else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
  };
  const preview = async (i, n) => {
    const c = new OffscreenCanvas(16, 16);
    const g = c.getContext('2d');
    g.fillStyle = 'hsl(' + Math.round((360 * i) / n) + ',80%,50%)';
    g.fillRect(0, 0, 16, 16);
    const b = await c.convertToBlob({ type: 'image/png' });
    const bytes = new Uint8Array(await b.arrayBuffer());
    let s = '';
    for (const x of bytes) s += String.fromCharCode(x);
    return btoa(s);
  };
  const jobs = (window.__fakeJobs = { started: [], cancelled: new Set(), stepMs: 40 });
  const run = async (jobId, spec) => {
    const ev = (state, extra) => emit('job.event', Object.assign({ jobId, state }, extra || {}));
    ev('queued');
    await new Promise((r) => setTimeout(r, 30));
    ev('loading');
    for (let i = 1; i <= spec.steps; i++) {
      await new Promise((r) => setTimeout(r, jobs.stepMs));
      if (jobs.cancelled.has(jobId)) return ev('cancelled');
      ev('step', { i, n: spec.steps, preview: await preview(i, spec.steps) });
    }
    ev('done', { result: {} });
  };
  window.lamina = {
    async call(method, input) {
      if (method === 'jobs.start') {
        const jobId = 'fake-' + jobs.started.length;
        jobs.started.push(input);
        setTimeout(() => run(jobId, input.spec), 0);
        return { jobId };
      }
      if (method === 'jobs.cancel') {
        jobs.cancelled.add(input.jobId);
        return { cancelled: true };
      }
      await open;
      return new Promise((resolve, reject) => {
        const id = seq++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, input }));
      });
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return () => listeners.get(event).delete(listener);
    },
  };
})();`;

let served: Served;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;

before(async () => {
  if (SKIP) return;
  for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(join(shots, f));
  buildRenderer();
  served = await startServe();
  browser = await launch();
  page = browser.page;
  await browser.context.addInitScript(FAKE_PRELOAD);
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=app][data-connection=open]', { timeout: 20_000 });
  // count every preview the UI shows (the editor store is the source of truth)
  await page.evaluate(() => {
    const w = window as unknown as { __lamina: { editor: { store: { subscribe(l: (s: { job: { preview: string | null; i: number } | null }, p: { job: { preview: string | null } | null }) => void): void } } }; __previewLog: number[]; __stepLog: number[] };
    w.__previewLog = [];
    w.__stepLog = [];
    w.__lamina.editor.store.subscribe((s, p) => {
      if (s.job?.preview && s.job.preview !== p.job?.preview) w.__previewLog.push(performance.now());
      if (s.job && s.job.i) w.__stepLog.push(s.job.i);
    });
  });
});

after(async () => {
  await browser?.close();
  await served?.stop();
});

test('generate: progress with step count, throttled live preview, done; then Cancel', { skip: SKIP, timeout: 90_000 }, async () => {
  assert.equal(await page.evaluate(() => !!(window as unknown as { lamina?: unknown }).lamina), true, 'the page runs on the preload transport');
  await page.click('[data-testid=file-new]');
  await page.fill('[data-testid=new-width]', '256');
  await page.fill('[data-testid=new-height]', '256');
  await page.click('[data-testid=new-create]');
  await page.waitForSelector('[data-testid=canvas] canvas');
  await page.fill('[data-testid=gen-prompt]', 'three shapes on a shelf');
  await page.fill('[data-testid=gen-steps]', '40');
  await page.click('[data-testid=gen-seed-lock]');
  await page.fill('[data-testid=gen-seed]', '777');
  await page.click('[data-testid=gen-button]');
  await page.waitForFunction(() => /Step \d+ \/ 40/.test(document.querySelector('[data-testid=gen-progress]')?.textContent ?? ''));
  await page.waitForSelector('[data-testid=gen-preview]');
  await page.waitForFunction(() => /Step (2\d|3\d) \/ 40/.test(document.querySelector('[data-testid=gen-progress]')?.textContent ?? ''));
  await page.screenshot({ path: join(shots, '01-progress.png') });
  const bar = await page.locator('[data-testid=gen-progress]').getAttribute('aria-valuenow');
  assert.ok(Number(bar) >= 20, `progressbar aria-valuenow ${bar}`);
  await page.waitForSelector('[data-testid=toast-success]', { timeout: 20_000 });
  assert.equal(await page.locator('[data-testid=gen-progress]').count(), 0, 'progress goes away when done');
  const started = await page.evaluate(() => (window as unknown as { __fakeJobs: { started: { spec: { seed: number; steps: number; prompt: string; width: number } }[] } }).__fakeJobs.started);
  assert.deepEqual([started[0].spec.seed, started[0].spec.steps, started[0].spec.prompt, started[0].spec.width], [777, 40, 'three shapes on a shelf', 256]);
  assert.equal(await page.inputValue('[data-testid=gen-seed]'), '777', 'a locked seed is kept');
  const previews = await page.evaluate(() => (window as unknown as { __previewLog: number[] }).__previewLog);
  const steps = await page.evaluate(() => (window as unknown as { __stepLog: number[] }).__stepLog);
  assert.ok(steps.includes(40), 'every step reached the UI');
  // 40 steps x 40 ms = 1.6 s of previews on an idle machine (longer on a loaded one): at
  // most one per 250 ms, so fewer previews than steps, at least 200 ms apart
  assert.ok(previews.length >= 3 && previews.length < 40, `${previews.length} previews shown for 40 steps`);
  const span = previews[previews.length - 1] - previews[0];
  assert.ok(previews.length <= Math.floor(span / 200) + 2, `${previews.length} previews in ${span.toFixed(0)} ms`);
  const gaps = previews.slice(1).map((t, i) => t - previews[i]);
  assert.ok(gaps.every((g) => g >= 200), `preview gaps ${gaps.map((g) => g.toFixed(0)).join(',')}`);

  // Cancel half way
  await page.click('[data-testid=gen-seed-lock]');
  await page.click('[data-testid=gen-button]');
  await page.waitForFunction(() => /Step (1\d) \/ 40/.test(document.querySelector('[data-testid=gen-progress]')?.textContent ?? ''));
  await page.click('[data-testid=gen-cancel]');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=toast-info]')).some((t) => /cancelled/i.test(t.textContent ?? '')));
  assert.equal(await page.locator('[data-testid=gen-progress]').count(), 0);
  assert.notEqual(await page.inputValue('[data-testid=gen-seed]'), '777', 'an unlocked seed re-rolls');
  await page.screenshot({ path: join(shots, '02-cancelled.png') });

  // Esc, the listed cancel shortcut, cancels a running generation, even with the focus in the prompt
  const cancelledToasts = () => page.evaluate(() => (window as unknown as { __lamina: { editor: { toastLog: { message: string }[] } } }).__lamina.editor.toastLog.filter((t) => /cancelled/i.test(t.message)).length);
  const before = await cancelledToasts();
  await page.click('[data-testid=gen-button]');
  await page.waitForFunction(() => /Step \d+ \/ 40/.test(document.querySelector('[data-testid=gen-progress]')?.textContent ?? ''));
  await page.focus('[data-testid=gen-prompt]');
  await page.keyboard.press('Escape');
  await page.waitForFunction((n) => (window as unknown as { __lamina: { editor: { toastLog: { message: string }[] } } }).__lamina.editor.toastLog.filter((t) => /cancelled/i.test(t.message)).length > n, before, { timeout: 10_000 });
  assert.equal(await page.locator('[data-testid=gen-progress]').count(), 0, 'Esc ended the job');
  const cancelled = await page.evaluate(() => [...(window as unknown as { __fakeJobs: { cancelled: Set<string> } }).__fakeJobs.cancelled]);
  assert.equal(cancelled.length, 2, 'jobs.cancel was called for the Esc-cancelled job');
});

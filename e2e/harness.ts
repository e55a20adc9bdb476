// Shared e2e plumbing: start `lamina serve` on a free port, launch Debian Chromium
// headless with a fresh profile, talk to the contract over a WebSocket from the test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import type { EventName, EventPayload, Input, Method, Output } from '../common/contract/contract.ts';
import { decodeFrame, encodeFrame } from '../common/contract/binary-frame.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');
export const CHROMIUM = process.env.LAMINA_CHROMIUM ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  port: number;
  proc: ChildProcess;
  home: string;
  stop(): Promise<void>;
}

/** Bundle the renderer (about a second) so the server serves what the tree holds now. */
export function buildRenderer(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-renderer.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Start `node bin/lamina.mjs serve --port 0 --json` with its own HOME (autosave/recovery dirs);
 * the tests' files live under the system temp folder, so that is an --allow-dir. */
export async function startServe(opts: { prepareHome?: (laminaHome: string) => void } = {}): Promise<Served> {
  const home = mkdtempSync(join(tmpdir(), 'lamina-e2e-home-'));
  const laminaHome = join(home, '.lamina');
  mkdirSync(laminaHome, { recursive: true });
  opts.prepareHome?.(laminaHome);
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'lamina.mjs'), 'serve', '--port', '0', '--allow-dir', tmpdir(), '--json'], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, LAMINA_HOME: laminaHome, XDG_DATA_HOME: join(home, '.local', 'share'), XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.local', 'state') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const info = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lamina serve did not start in 30 s\nstdout: ${out}\nstderr: ${err}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /\{[\s\S]*\}/.exec(out);
      if (!m) return;
      try {
        const j = JSON.parse(m[0]);
        clearTimeout(timer);
        resolve({ url: j.url, port: j.port });
      } catch { /* wait for the rest */ }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`lamina serve exited with ${code}\nstdout: ${out}\nstderr: ${err}`)); });
  });
  return {
    ...info, proc, home,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => { const t = setTimeout(() => { proc.kill('SIGKILL'); r(null); }, 5000); proc.once('exit', () => { clearTimeout(t); r(null); }); });
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function launch(): Promise<{ browser: Browser; context: BrowserContext; page: Page; profile: string; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'lamina-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  // tsx (esbuild keepNames) wraps named functions in __name(); functions passed to
  // page.evaluate run in the page, which has no such helper
  await context.addInitScript('globalThis.__name = (f) => f;');
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    browser: context.browser()!, context, page, profile,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The contract from the test side, over the same WebSocket the renderer uses. */
export class WsContract {
  private ws: WebSocket;
  private id = 1;
  private pending = new Map<number, (m: { ok: boolean; output?: unknown; error?: { code: string; message: string } }) => void>();
  private listeners = new Map<string, Set<(p: unknown) => void>>();
  ready: Promise<void>;

  constructor(port: number) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    this.ready = new Promise((resolve, reject) => { this.ws.once('open', () => resolve()); this.ws.once('error', reject); });
    this.ws.on('message', (data, isBinary) => {
      const m = decodeFrame(isBinary ? (data as Buffer) : String(data)) as { event?: string; payload?: unknown; id?: number; ok: boolean };
      if (m.event !== undefined) for (const l of this.listeners.get(m.event) ?? []) l(m.payload);
      else this.pending.get(m.id!)?.(m);
    });
  }

  async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    await this.ready;
    const id = this.id++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => {
        this.pending.delete(id);
        if (m.ok) resolve(m.output as Output<M>);
        else reject(Object.assign(new Error(`${m.error!.code}: ${m.error!.message}`), { code: m.error!.code }));
      });
      this.ws.send(encodeFrame({ id, method, input }));
    });
  }

  on<E extends EventName>(event: E, l: (p: EventPayload<E>) => void): void {
    const s = this.listeners.get(event) ?? new Set();
    s.add(l as (p: unknown) => void);
    this.listeners.set(event, s);
  }

  close(): void {
    this.ws.close();
  }
}

export function artifactsDir(name: string): string {
  const dir = join(ARTIFACTS, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

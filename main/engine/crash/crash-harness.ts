// SQLite-style crash test for saves: start an engine process that saves in a loop, kill it
// with SIGKILL at a random moment once it has saved at least once, then check from a fresh
// process's point of view that the file (or, for autosave, what recovery offers) is intact,
// readable, and no older than the last save that had returned before the kill.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDocumentFile } from '../document/document-files.ts';
import { Engine } from '../engine.ts';
import { ImageStore } from '../imaging/image-store.ts';

export type CrashMode = 'ora' | 'psd' | 'autosave';
const CHILD = new URL('./crash-save-child.ts', import.meta.url).pathname;

/** The child, bundled once per run (esbuild, packages external): it starts in a fraction of
 * tsx's time, so a kill lands on saving, not on start-up. */
let bundled: Promise<string> | null = null;
function childScript(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    // beside engine.ts, so its relative lookups (package.json, node_modules) resolve as in the source
    const out = join(CHILD, '..', '..', `.crash-child.${process.pid}.mjs`);
    process.once('exit', () => rmSync(out, { force: true }));
    await build({ entryPoints: [CHILD], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning', absWorkingDir: join(CHILD, '..', '..', '..', '..') });
    return out;
  })();
  return bundled;
}

export interface CrashTrial {
  ok: boolean;
  /** last save that returned before the kill, and what the file holds after it */
  acked: number;
  found: number | null;
  /** a temp file was left beside the target: the kill landed mid-write */
  midWrite: boolean;
  killAfterMs: number;
  problem?: string;
}

function rand(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

export async function crashTrial(mode: CrashMode, seed: number): Promise<CrashTrial> {
  const dir = mkdtempSync(join(tmpdir(), `lamina-crash-${mode}-`));
  const r = rand(seed);
  try {
    const child = spawn(process.execPath, [await childScript(), mode, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    let acked = 0;
    let firstAckAt = 0;
    let saveMs = 50;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // wait for two saves (so one save's length is known), then kill within the next few
    // (a loaded machine can take a minute to start the child and encode its first saves)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no save within 300 s: ${err.slice(0, 300)}`)), 300_000);
      child.stdout.on('data', (d) => {
        out += d;
        const acks = [...out.matchAll(/ack (\d+)/g)];
        if (acks.length) acked = Number(acks[acks.length - 1][1]);
        if (acks.length === 1 && !firstAckAt) firstAckAt = performance.now();
        if (acks.length >= 2 && firstAckAt) {
          if (saveMs === 50) saveMs = Math.max(5, performance.now() - firstAckAt);
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before saving: ${err.slice(0, 300)}`)));
    }).catch((e) => {
      child.kill('SIGKILL');
      throw e;
    });
    const killAfterMs = r() * saveMs * 3;
    await new Promise((res) => setTimeout(res, killAfterMs));
    child.kill('SIGKILL');
    await exited;
    const acks = [...out.matchAll(/ack (\d+)/g)];
    acked = acks.length ? Number(acks[acks.length - 1][1]) : 0;
    const docId = /doc (\S+)/.exec(out)?.[1] ?? '';
    return { ...(await checkAfterCrash(mode, dir, docId, acked)), killAfterMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function checkAfterCrash(mode: CrashMode, dir: string, docId: string, acked: number): Promise<Omit<CrashTrial, 'killAfterMs'>> {
  const folder = mode === 'autosave' ? join(dir, 'recovery') : dir;
  const midWrite = readdirSync(folder).some((n) => n.endsWith('.tmp'));
  let found: number | null = null;
  try {
    let name: string;
    if (mode === 'autosave') {
      // what the next start offers: recoveryList, then recover
      const next = new Engine({ packDirs: [], recoveryDir: join(dir, 'recovery'), autosaveMs: 0 });
      try {
        const offered = await next.call('document.recoveryList', {});
        const entry = offered.find((o) => o.name === `${docId}.ora`);
        if (!entry) return { ok: false, acked, found, midWrite, problem: `recovery offers ${JSON.stringify(offered.map((o) => o.name))}, not ${docId}.ora` };
        name = (await next.call('document.recover', { path: entry.path })).document.name;
      } finally {
        await next.close();
      }
    } else {
      const doc = await readDocumentFile({ path: join(dir, `doc.${mode}`) }, new ImageStore());
      if (doc.layers.length !== 4) return { ok: false, acked, found, midWrite, problem: `${doc.layers.length} layers, expected 4` };
      name = doc.name;
    }
    found = Number(/^v(\d+)$/.exec(name)?.[1] ?? NaN);
  } catch (e) {
    return { ok: false, acked, found, midWrite, problem: `unreadable: ${(e as Error).message}` };
  }
  // the file holds the last acknowledged save or the one in flight, never older, never torn
  const ok = found === acked || found === acked + 1;
  return { ok, acked, found, midWrite, ...(ok ? {} : { problem: `holds v${found}, last acknowledged save was v${acked}` }) };
}

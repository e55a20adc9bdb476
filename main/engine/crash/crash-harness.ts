// SQLite-style crash test for saves: start an engine process that saves in a loop, kill it
// with SIGKILL at a random moment once it has saved twice, then check from a fresh
// process's point of view that the file (or, for autosave, what recovery offers) is intact,
// readable, and no older than the last save that had returned before the kill; and that
// the temp file a kill mid-write leaves is gone after the next start (autosave) or save.
// Half the kills are aimed at the write itself (a random moment within 50 ms of the temp
// file appearing: write, fsync, rename), half land anywhere in the next three saves (most of
// a save is encoding, in memory, so few of those land mid-write).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDocumentFile } from '../document/document-files.ts';
import { Engine } from '../engine.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { readVersion } from './crash-document.ts';

export type CrashMode = 'ora' | 'psd' | 'autosave';
const CHILD = new URL('./crash-save-child.ts', import.meta.url).pathname;
/** how long after the temp file appears an aimed kill may land (a 1-4 MB write + fsync + rename takes 15-40 ms here) */
const WRITE_WINDOW_MS = 50;

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
  /** the kill was aimed at the write (timed from the temp file's appearance) */
  aimed: boolean;
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
  r();
  const aimed = r() < 0.5;
  try {
    const child = spawn(process.execPath, [await childScript(), mode, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
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
    const start = performance.now();
    await new Promise<void>((resolve) => {
      if (!aimed) return void setTimeout(resolve, r() * saveMs * 3);
      // the next temp file beside the target: kill a random moment into its write
      const watcher = watch(mode === 'autosave' ? join(dir, 'recovery') : dir, (_, name) => {
        if (!String(name ?? '').endsWith('.tmp')) return;
        watcher.close();
        clearTimeout(fallback);
        setTimeout(resolve, r() * WRITE_WINDOW_MS);
      });
      const fallback = setTimeout(() => (watcher.close(), resolve()), saveMs * 5);
    });
    const killAfterMs = performance.now() - start;
    child.kill('SIGKILL');
    await exited;
    const acks = [...out.matchAll(/ack (\d+)/g)];
    const acked = acks.length ? Number(acks[acks.length - 1][1]) : 0;
    const docId = /doc (\S+)/.exec(out)?.[1] ?? '';
    return { ...(await checkAfterCrash(mode, dir, docId, acked)), aimed, killAfterMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const litter = (folder: string) => readdirSync(folder).filter((n) => n.endsWith('.tmp'));

export async function checkAfterCrash(mode: CrashMode, dir: string, docId: string, acked: number): Promise<Omit<CrashTrial, 'killAfterMs' | 'aimed'>> {
  const recoveryDir = join(dir, 'recovery');
  const midWrite = litter(mode === 'autosave' ? recoveryDir : dir).length > 0;
  let found: number | null = null;
  const fail = (problem: string) => ({ ok: false, acked, found, midWrite, problem });
  // what the next start sees: for autosave, recoveryList then recover
  const next = new Engine({ packDirs: [], recoveryDir, autosaveMs: 0 });
  try {
    let read: ReturnType<typeof readVersion>;
    try {
      if (mode === 'autosave') {
        const offered = await next.call('document.recoveryList', {});
        const left = litter(recoveryDir);
        if (left.length) return fail(`the next start left ${left.join(', ')} in the recovery folder`);
        const entry = offered.find((o) => o.path.endsWith(`${docId}.ora`));
        if (!entry) return fail(`recovery offers ${JSON.stringify(offered.map((o) => o.name))}, not ${docId}.ora`);
        const store = new ImageStore();
        read = readVersion(await readDocumentFile({ path: entry.path }, store), store);
        // and recover opens that state
        const { document } = await next.call('document.recover', { path: entry.path });
        const marker = document.layers.find((l) => /^v\d+$/.test(l.name))?.name;
        if ('version' in read && marker !== `v${read.version}`) return fail(`recover opened ${marker}, its file holds v${read.version}`);
      } else {
        const store = new ImageStore();
        read = readVersion(await readDocumentFile({ path: join(dir, `doc.${mode}`) }, store), store);
      }
    } catch (e) {
      return fail(`unreadable: ${(e as Error).message}`);
    }
    if ('problem' in read) return fail(read.problem);
    found = read.version;
    // the file holds the last acknowledged save or the one in flight, never older, never torn
    if (found !== acked && found !== acked + 1) return fail(`holds v${found}, last acknowledged save was v${acked}`);
    if (mode !== 'autosave') {
      // the next save of the same file clears what the killed one left
      const { docId: fresh } = await next.call('document.new', { width: 4, height: 4 });
      const path = join(dir, `doc.${mode}`);
      if (mode === 'ora') await next.call('document.save', { docId: fresh, path, overwrite: true });
      else await next.call('export.run', { docId: fresh, format: 'psd', path });
      const left = litter(dir);
      if (left.length) return fail(`the next save left ${left.join(', ')} beside the file`);
    }
    return { ok: true, acked, found, midWrite };
  } finally {
    await next.close();
  }
}

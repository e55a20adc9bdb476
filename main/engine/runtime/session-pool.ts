// Native things have owners: every ORT session comes from a pool and goes back to it.
// Sessions are created lazily on first use, kept while the pool's memory budget allows
// (least recently used first out, never one in use), and closed by dispose().
// `openSessionCount` lets tests fail on leaks.
//
// Memory is measured from the sessions: each is created alone (loads are serialized) and
// costs what the process's resident memory grew by while ORT built it, never less than
// its weights (the file size; the allocator may reuse pages a released session freed, so
// a delta can under-read). Before a graph is first created, its cost is estimated from
// its file size times the ratio measured on the sessions created so far. ORT's arena
// adds activations on top at run time, which scale with batch and image size, not with
// the pool.
import { statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import type ort from 'onnxruntime-node';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { createSession, type Device, type Provider, type SessionTuning } from './execution-providers.ts';

export interface GraphRef {
  /** absolute path of the .onnx file */
  path: string;
  /** file size in bytes (stat'ed when omitted): the floor of a session's cost and the base of its estimate */
  bytes?: number;
  /** for error messages, e.g. "lamina-tiny/transformer" */
  label?: string;
  /** the graph with changed weights (LoRA merged at a strength): its own session, keyed by
   * `key` next to the path, created from the bytes `model()` returns */
  variant?: { key: string; model: () => Promise<Uint8Array> };
}

export interface PooledSession {
  readonly session: ort.InferenceSession;
  readonly provider: Provider;
  readonly key: string;
  readonly label: string;
  /** the memory the session was measured to cost */
  readonly bytes: number;
  /** fallbacks `auto` went through to get here */
  readonly fallbacks: { provider: Provider; reason: string }[];
}

interface Entry {
  key: string;
  ready: Promise<PooledSession>;
  value: PooledSession | null;
  /** measured once loaded; the estimate while loading */
  bytes: number;
  /** the graph file's size */
  fileBytes: number;
  label: string;
  users: number;
  lastUsed: number;
}

/** Reads the process's memory in bytes, before and after a session is created (tests pass a fake). */
export type MemoryMeter = (phase: 'before' | 'after', label: string) => number;
export const residentMemory: MemoryMeter = () => process.memoryUsage().rss;

/** What the pool did, in order (tests and `lamina bench` read it). */
export type PoolEvent = { type: 'create' | 'dispose'; label: string; bytes: number };

export interface SessionPoolOptions {
  /** limit on the sum of open sessions' measured costs; default LAMINA_SESSION_BUDGET_MB or 4096 MB */
  budgetBytes?: number;
  tuning?: SessionTuning;
  meter?: MemoryMeter;
  onEvent?: (e: PoolEvent) => void;
}

/**
 * Session settings, chosen by measurement (2-core CI machine shared with a training run,
 * load average ~6; lamina-tiny-sized MMDiT transformer (6 blocks, dim 128, 64 image
 * tokens), batch 2, text_len 17, median of 15 runs after 3 warm-ups, ms):
 *
 *   intra 1, spin on            8.0  7.9  8.4     intra 2, spin on     21.4 20.7 16.7
 *   intra 2, spin off           14.1  8.7         intra 4, spin on     46.1 50.2
 *   intra 2 + inter 2 parallel  54.1 40.0         intra 0 (ORT default) 22.6 19.5
 *   opt level all / extended / basic / disabled (intra 1): 8.0 / 7.8 / 8.4 / ~2x slower (intra 2)
 *
 * So: optimization level 'all' (fusions matter, the rest is noise), sequential execution
 * (the DiT is a chain; parallel mode only added scheduling cost), spinning off (spinning
 * threads fight whatever else runs: the UI, a training run, other builds), and intra-op
 * threads = cores not already busy (os.loadavg), capped at 8: on an oversubscribed machine
 * extra threads were 2-5x slower, on an idle one they are the speed-up. LAMINA_THREADS
 * overrides. `lamina bench` re-measures the thread count on the machine it runs on.
 */
export function defaultTuning(): SessionTuning {
  const env = Number(process.env.LAMINA_THREADS);
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  const busy = Math.floor(loadavg()[0] ?? 0); // 0 on Windows
  const threads = Number.isInteger(env) && env > 0 ? env : Math.max(1, Math.min(8, cores - busy));
  return { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', allowSpinning: false };
}

function defaultBudget(): number {
  const mb = Number(process.env.LAMINA_SESSION_BUDGET_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 4096) * 1024 * 1024;
}

let clock = 0;

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  readonly budgetBytes: number;
  readonly tuning: SessionTuning;
  private readonly meter: MemoryMeter;
  private readonly onEvent: (e: PoolEvent) => void;
  /** measured cost per key, kept after a session closes: the estimate when it is created again */
  private readonly measured = new Map<string, number>();
  private measuredTotal = 0;
  private measuredFiles = 0;
  /** loads run one at a time, so each measurement is one session's */
  private loading: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** sessions created over the pool's life (tests: lazy creation, cache hits) */
  created = 0;
  /** the most the open sessions have cost at once */
  peakBytes = 0;

  constructor(opts: SessionPoolOptions = {}) {
    this.budgetBytes = opts.budgetBytes ?? defaultBudget();
    this.tuning = opts.tuning ?? defaultTuning();
    this.meter = opts.meter ?? residentMemory;
    this.onEvent = opts.onEvent ?? (() => undefined);
  }

  /** What a session of this graph is expected to cost: its measurement, else its file size times the measured ratio so far. */
  estimateBytes(ref: GraphRef, device: Device = 'auto'): number {
    const known = this.measured.get(sessionKey(ref, device));
    if (known !== undefined) return known;
    const file = fileSize(ref);
    const ratio = this.measuredFiles > 0 ? Math.max(1, this.measuredTotal / this.measuredFiles) : 1;
    return Math.ceil(file * ratio);
  }

  /** Open native sessions (created and not yet released). */
  get openSessionCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.value) n++;
    return n;
  }

  /** Sessions currently checked out by a caller. */
  get inUseCount(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.users;
    return n;
  }

  /** Sum of the costs of open sessions (measured) and loading ones (estimated). */
  get openBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  /**
   * Checks a session out (creating it on first use). Pair with release(); or use `with`.
   * The key is (path, device, variant), so the same graph on two devices (or with an
   * adapter merged at two strengths) is two sessions.
   */
  async acquire(ref: GraphRef, device: Device = 'auto'): Promise<PooledSession> {
    if (this.disposed) throw new LaminaError('internal', 'session pool is disposed');
    const key = sessionKey(ref, device);
    let entry = this.entries.get(key);
    if (!entry) {
      const fileBytes = fileSize(ref);
      const label = ref.label ?? ref.path;
      const created: Entry = { key, ready: Promise.resolve(null as unknown as PooledSession), value: null, bytes: 0, fileBytes, label, users: 0, lastUsed: ++clock };
      // in the map before loading starts, so eviction counts the incoming graph
      this.entries.set(key, created);
      const load = this.loading.then(() => this.load(created, { ...ref, bytes: fileBytes }, device, label));
      this.loading = load.catch(() => undefined);
      created.ready = load;
      created.ready.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      entry = created;
    }
    entry.users++;
    entry.lastUsed = ++clock;
    try {
      return await entry.ready;
    } catch (err) {
      entry.users--;
      throw err;
    }
  }

  private async load(entry: Entry, ref: GraphRef, device: Device, label: string): Promise<PooledSession> {
    if (this.disposed || this.entries.get(entry.key) !== entry) throw new LaminaError('cancelled', 'session pool was disposed while loading');
    // make room for the estimate first, so the pool never holds more than the budget when it can help it
    entry.bytes = this.estimateBytes(ref, device);
    await this.evict(entry.key);
    const before = this.meter('before', label);
    const model = ref.variant ? await ref.variant.model() : ref.path;
    const { session, provider, fallbacks } = await createSession(model, device, this.tuning, label);
    const bytes = Math.max(entry.fileBytes, this.meter('after', label) - before);
    this.created++;
    if (!this.measured.has(entry.key)) {
      this.measuredTotal += bytes;
      this.measuredFiles += entry.fileBytes;
    }
    this.measured.set(entry.key, bytes);
    entry.bytes = bytes;
    const value: PooledSession = { session, provider, key: entry.key, label, bytes, fallbacks };
    if (this.disposed || this.entries.get(entry.key) !== entry) {
      await session.release();
      throw new LaminaError('cancelled', 'session pool was disposed while loading');
    }
    entry.value = value;
    this.onEvent({ type: 'create', label, bytes });
    // the measurement may exceed the estimate: trim idle sessions back to the budget
    await this.evict(entry.key);
    this.peakBytes = Math.max(this.peakBytes, this.openBytes);
    return value;
  }

  private async close(e: Entry): Promise<void> {
    this.entries.delete(e.key);
    const s = e.value;
    e.value = null;
    if (!s) return;
    await s.session.release();
    this.onEvent({ type: 'dispose', label: e.label, bytes: e.bytes });
  }

  release(s: PooledSession): void {
    const e = this.entries.get(s.key);
    if (!e || e.users === 0) return;
    e.users--;
    e.lastUsed = ++clock;
    if (e.users === 0 && this.openBytes > this.budgetBytes) void this.evict(null);
  }

  /** acquire, run fn, release (also on throw). */
  async with<T>(ref: GraphRef, device: Device, fn: (s: PooledSession) => Promise<T>): Promise<T> {
    const s = await this.acquire(ref, device);
    try {
      return await fn(s);
    } finally {
      this.release(s);
    }
  }

  /** Closes idle sessions, least recently used first, until the open (and loading) graphs fit the budget. */
  private async evict(keep: string | null): Promise<void> {
    const idle = [...this.entries.values()].filter((e) => e.users === 0 && e.value && e.key !== keep).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const e of idle) {
      if (this.openBytes <= this.budgetBytes) break;
      await this.close(e);
    }
  }

  /** Closes idle sessions now (e.g. on memory pressure). */
  async trim(): Promise<void> {
    for (const e of [...this.entries.values()]) if (e.users === 0 && e.value) await this.close(e);
  }

  /** Closes every session; the pool cannot be used afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) {
      const s = e.value ?? (await e.ready.catch(() => null));
      if (s) await s.session.release().catch(() => {});
    }
  }
}

function sessionKey(ref: GraphRef, device: Device): string {
  return `${device}\u0000${ref.path}${ref.variant ? `\u0000${ref.variant.key}` : ''}`;
}

function fileSize(ref: GraphRef): number {
  if (ref.bytes !== undefined) return ref.bytes;
  try {
    return statSync(ref.path).size;
  } catch {
    throw new LaminaError('not_found', `graph file missing: ${ref.path}`);
  }
}

let shared: SessionPool | null = null;

/** The process-wide pool (engine worker, CLI): sessions survive between jobs. */
export function sharedSessionPool(): SessionPool {
  return (shared ??= new SessionPool());
}

export async function disposeSharedSessionPool(): Promise<void> {
  const p = shared;
  shared = null;
  if (p) await p.dispose();
}

// Native things have owners: every ORT session comes from a pool and goes back to it.
// Sessions are created lazily on first use, kept while the pool's memory budget allows
// (least recently used first out, never one in use), and closed by dispose().
// `openSessionCount` lets tests fail on leaks.
//
// Memory is approximated by the graph file size (weights dominate; ORT's arena adds
// activations on top, which scale with batch and image size, not with the pool).
import { statSync } from 'node:fs';
import { cpus } from 'node:os';
import type ort from 'onnxruntime-node';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { createSession, type Device, type Provider, type SessionTuning } from './execution-providers.ts';

export interface GraphRef {
  /** absolute path of the .onnx file */
  path: string;
  /** file size in bytes (stat'ed when omitted); the pool's memory estimate */
  bytes?: number;
  /** for error messages, e.g. "lamina-tiny/transformer" */
  label?: string;
}

export interface PooledSession {
  readonly session: ort.InferenceSession;
  readonly provider: Provider;
  readonly key: string;
  readonly label: string;
  readonly bytes: number;
  /** fallbacks `auto` went through to get here */
  readonly fallbacks: { provider: Provider; reason: string }[];
}

interface Entry {
  key: string;
  ready: Promise<PooledSession>;
  value: PooledSession | null;
  bytes: number;
  users: number;
  lastUsed: number;
}

export interface SessionPoolOptions {
  /** soft limit on the sum of open graphs' sizes; default LAMINA_SESSION_BUDGET_MB or 4096 MB */
  budgetBytes?: number;
  tuning?: SessionTuning;
}

/**
 * Thread settings, chosen by measurement (bench on the 2-core CI machine, tiny pack
 * transformer, batch 2; see main/engine/runtime/README-measurements in the issue report):
 * intra-op threads = physical cores (os.cpus().length, capped at 8; more threads than
 * cores was 20-40% slower with other processes competing), inter-op 1 with sequential
 * execution (the DiT graph is a chain; parallel mode only added scheduling overhead),
 * optimization level 'all' (layout + fusion) was faster than 'extended' or 'basic'.
 * LAMINA_THREADS overrides the intra-op count.
 */
export function defaultTuning(): SessionTuning {
  const env = Number(process.env.LAMINA_THREADS);
  const threads = Number.isInteger(env) && env > 0 ? env : Math.max(1, Math.min(8, cpus().length));
  return { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' };
}

function defaultBudget(): number {
  const mb = Number(process.env.LAMINA_SESSION_BUDGET_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 4096) * 1024 * 1024;
}

let clock = 0;

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly budget: number;
  readonly tuning: SessionTuning;
  private disposed = false;
  /** sessions created over the pool's life (tests: lazy creation, cache hits) */
  created = 0;

  constructor(opts: SessionPoolOptions = {}) {
    this.budget = opts.budgetBytes ?? defaultBudget();
    this.tuning = opts.tuning ?? defaultTuning();
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

  /** Sum of the sizes of open and loading graphs. */
  get openBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  /**
   * Checks a session out (creating it on first use). Pair with release(); or use `with`.
   * The key is (path, device), so the same graph on two devices is two sessions.
   */
  async acquire(ref: GraphRef, device: Device = 'auto'): Promise<PooledSession> {
    if (this.disposed) throw new LaminaError('internal', 'session pool is disposed');
    const key = `${device}\u0000${ref.path}`;
    let entry = this.entries.get(key);
    if (!entry) {
      let bytes = ref.bytes;
      if (bytes === undefined) {
        try {
          bytes = statSync(ref.path).size;
        } catch {
          throw new LaminaError('not_found', `graph file missing: ${ref.path}`);
        }
      }
      const label = ref.label ?? ref.path;
      const created: Entry = { key, ready: null as unknown as Promise<PooledSession>, value: null, bytes, users: 0, lastUsed: ++clock };
      created.ready = (async () => {
        await this.evict(key);
        const { session, provider, fallbacks } = await createSession(ref.path, device, this.tuning, label);
        this.created++;
        const value: PooledSession = { session, provider, key, label, bytes, fallbacks };
        if (this.disposed || this.entries.get(key) !== created) {
          await session.release();
          throw new LaminaError('cancelled', 'session pool was disposed while loading');
        }
        created.value = value;
        return value;
      })();
      this.entries.set(key, created);
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

  release(s: PooledSession): void {
    const e = this.entries.get(s.key);
    if (!e || e.users === 0) return;
    e.users--;
    e.lastUsed = ++clock;
    if (e.users === 0 && this.openBytes > this.budget) void this.evict(null);
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
      if (this.openBytes <= this.budget) break;
      this.entries.delete(e.key);
      await e.value!.session.release();
    }
  }

  /** Closes idle sessions now (e.g. on memory pressure). */
  async trim(): Promise<void> {
    for (const e of [...this.entries.values()]) {
      if (e.users === 0 && e.value) {
        this.entries.delete(e.key);
        await e.value.session.release();
      }
    }
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

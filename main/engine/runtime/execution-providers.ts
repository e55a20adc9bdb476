// The one place that maps a Lamina device name to ONNX Runtime execution providers, and
// the one place that creates ORT sessions. `auto` tries the platform's providers in order
// and keeps the first that initializes (a failed try is logged, and remembered for the
// rest of the process); a provider asked for by name that cannot start is
// LaminaError('provider_failed') with ORT's reason, never a crash. ORT does not fall
// back by itself: a session is always created with exactly one provider.
import { existsSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { LaminaError } from '../../../common/errors/lamina-error.ts';

export const DEVICES = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export type Device = (typeof DEVICES)[number];
export type Provider = Exclude<Device, 'auto'>;

/** Tuning applied to every session (chosen by measurement, see session-pool.ts). */
export interface SessionTuning {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  /** intra-op worker threads spin while waiting for work (ORT default true) */
  allowSpinning?: boolean;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: Provider;
  /** providers tried before this one, with the reason each failed */
  fallbacks: { provider: Provider; reason: string }[];
}

/** Order `auto` tries on each platform: accelerators first, cpu always last. */
export function autoOrder(platform: NodeJS.Platform = process.platform): Provider[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

/** Providers this build of onnxruntime-node knows (bundled or not). */
export function listBackends(): { name: string; bundled: boolean }[] {
  try {
    return (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
  } catch {
    return [{ name: 'cpu', bundled: true }];
  }
}

/** What ORT's executionProviders option gets for one Lamina provider. */
export function providerOption(provider: Provider): ort.InferenceSession.ExecutionProviderConfig {
  switch (provider) {
    case 'cpu':
      return 'cpu';
    case 'webgpu':
      return { name: 'webgpu' } as ort.InferenceSession.ExecutionProviderConfig;
    case 'cuda':
      return { name: 'cuda' } as ort.InferenceSession.ExecutionProviderConfig;
    case 'dml':
      return { name: 'dml' } as ort.InferenceSession.ExecutionProviderConfig;
    case 'coreml':
      return { name: 'coreml' } as ort.InferenceSession.ExecutionProviderConfig;
  }
}

const HINTS: Record<Provider, string> = {
  cpu: 'the CPU provider is always bundled; the graph itself may be invalid',
  webgpu: 'WebGPU needs a GPU driver: on Linux the Vulkan loader (apt install libvulkan1) and a Vulkan driver; D3D12 on Windows, Metal on macOS',
  cuda: 'CUDA needs the GPU libraries onnxruntime-node downloads at install (reinstall without ONNXRUNTIME_NODE_INSTALL=skip, see README) and an NVIDIA driver',
  dml: 'DirectML is available on Windows only',
  coreml: 'CoreML is available on macOS only',
};

/** Providers that failed once in this process are not retried by `auto`. */
const failed = new Map<Provider, string>();
/** Providers that started once; `auto` probes the others one session at a time. */
const started = new Set<Provider>();

const VULKAN_LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/usr/local/lib'];

/** Linux: WebGPU (Dawn) needs the Vulkan loader; without it, Dawn prints a native warning
 * straight to stderr on every probe. Checked without starting Dawn. */
export function vulkanLoaderMissing(platform: NodeJS.Platform = process.platform, exists: (p: string) => boolean = existsSync): string | null {
  if (platform !== 'linux') return null;
  if (process.env.LD_LIBRARY_PATH?.split(':').some((d) => d && exists(`${d}/libvulkan.so.1`))) return null;
  return VULKAN_LOADER_DIRS.some((d) => exists(`${d}/libvulkan.so.1`)) ? null : "the Vulkan loader (libvulkan.so.1) is not installed; install libvulkan1 and a GPU driver for WebGPU";
}
let probeChain: Promise<unknown> = Promise.resolve();
let logConfigured = false;

function configureLogging(): void {
  if (logConfigured) return;
  logConfigured = true;
  // ORT prints every failed provider probe at error level; Lamina reports them itself.
  const level = process.env.LAMINA_ORT_LOG as ort.Env['logLevel'] | undefined;
  ort.env.logLevel = level ?? 'fatal';
}

function firstLine(err: unknown): string {
  const text = String(err instanceof Error ? err.message : err);
  // ORT prefixes the reason with a source location and an assertion: keep the reason
  const reason = text.match(/(Failed to [^\n]*|no available backend[^\n]*|Couldn't load [^\n]*)/i)?.[1];
  return (reason ?? text.split('\n').map((l) => l.trim()).find(Boolean) ?? 'unknown error').slice(0, 400);
}

export type FallbackLogger = (message: string) => void;
/** Fallbacks are normal on most machines (no CUDA, no Vulkan): said only when asked
 * (`lamina --verbose` sets LAMINA_VERBOSE, which worker threads inherit). The provider
 * that ran is always reported with the result. */
let logger: FallbackLogger = (m) => {
  if (process.env.LAMINA_VERBOSE) process.stderr.write(`lamina: ${m}\n`);
};
/** Where `auto` reports a skipped provider (stderr by default; tests capture it). */
export function setFallbackLogger(fn: FallbackLogger): void {
  logger = fn;
}

export function sessionOptions(provider: Provider, tuning: SessionTuning = {}): ort.InferenceSession.SessionOptions {
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: [providerOption(provider)],
    graphOptimizationLevel: tuning.graphOptimizationLevel ?? 'all',
    executionMode: tuning.executionMode ?? 'sequential',
    logSeverityLevel: 3,
  };
  if (tuning.intraOpNumThreads !== undefined) opts.intraOpNumThreads = tuning.intraOpNumThreads;
  if (tuning.interOpNumThreads !== undefined) opts.interOpNumThreads = tuning.interOpNumThreads;
  if (tuning.enableCpuMemArena !== undefined) opts.enableCpuMemArena = tuning.enableCpuMemArena;
  if (tuning.enableMemPattern !== undefined) opts.enableMemPattern = tuning.enableMemPattern;
  if (tuning.allowSpinning !== undefined) {
    (opts as { extra?: unknown }).extra = { session: { intra_op: { allow_spinning: tuning.allowSpinning ? '1' : '0' } } };
  }
  return opts;
}

/**
 * Creates a session for `model` (a file path or the graph's bytes) on `device`.
 * `auto` returns the first provider that initializes; a named device that fails throws
 * LaminaError('provider_failed') naming the provider, ORT's reason and what to install.
 */
export async function createSession(model: string | Uint8Array, device: Device, tuning: SessionTuning = {}, label = typeof model === 'string' ? model : 'graph'): Promise<CreatedSession> {
  configureLogging();
  if (device === 'auto' && !started.has(autoOrder().find((p) => !failed.has(p)) ?? 'cpu')) {
    // concurrent loads would each probe (and log) a failing provider: probe one at a time
    const run = probeChain.then(() => createSessionNow(model, device, tuning, label));
    probeChain = run.catch(() => {});
    return run;
  }
  return createSessionNow(model, device, tuning, label);
}

async function createSessionNow(model: string | Uint8Array, device: Device, tuning: SessionTuning, label: string): Promise<CreatedSession> {
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new LaminaError('bad_request', `unknown device "${device}" (use one of: ${DEVICES.join(', ')})`);
  }
  const order: Provider[] = device === 'auto' ? autoOrder() : [device];
  const fallbacks: { provider: Provider; reason: string }[] = [];
  for (const provider of order) {
    if (device === 'auto' && provider === 'webgpu' && !failed.has('webgpu')) {
      const missing = vulkanLoaderMissing();
      if (missing) {
        failed.set('webgpu', missing);
        logger(`execution provider webgpu unavailable (${missing}); trying the next one`);
      }
    }
    if (device === 'auto' && failed.has(provider) && provider !== 'cpu') {
      fallbacks.push({ provider, reason: failed.get(provider)! });
      continue;
    }
    try {
      const opts = sessionOptions(provider, tuning);
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
      started.add(provider);
      return { session, provider, fallbacks };
    } catch (err) {
      const reason = firstLine(err);
      // cpu failing means the graph is bad, not the provider
      if (provider === 'cpu') throw new LaminaError('bad_pack', `${label}: ONNX Runtime cannot load this graph on the CPU provider: ${reason}`);
      if (device !== 'auto') {
        throw new LaminaError('provider_failed', `execution provider "${provider}" could not start for ${label}: ${reason}. ${HINTS[provider]}; or use --device cpu / auto.`, { provider, reason });
      }
      failed.set(provider, reason);
      fallbacks.push({ provider, reason });
      logger(`execution provider ${provider} unavailable (${reason.slice(0, 160)}); trying the next one`);
    }
  }
  throw new LaminaError('provider_failed', `no execution provider could start for ${label}`);
}

/** Which providers start on this machine (each probed on a trivial graph once). */
export async function probeProviders(probeModel: string | Uint8Array): Promise<{ provider: Provider; ok: boolean; reason: string | null }[]> {
  const out: { provider: Provider; ok: boolean; reason: string | null }[] = [];
  for (const provider of ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as Provider[]) {
    try {
      const { session } = await createSession(probeModel, provider);
      await session.release();
      out.push({ provider, ok: true, reason: null });
    } catch (err) {
      out.push({ provider, ok: false, reason: err instanceof LaminaError ? String((err.details as { reason?: string } | undefined)?.reason ?? err.message) : firstLine(err) });
    }
  }
  return out;
}

/** Test hook: forget remembered provider failures. */
export function resetProviderFailures(): void {
  failed.clear();
  started.clear();
}

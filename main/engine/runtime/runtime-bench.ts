// `lamina bench` / `npm run bench` (runtime section): text-to-image end to end at the
// pack's native size, transformer step latency at batch 1 and 2 (CFG), achieved GEMM
// GFLOP/s of the transformer against a GEMM peak measured in the same run, the same
// transformer in PyTorch eager on the same threads (ratio), a thread-count sweep, the
// WebGPU provider when it starts, and peak RSS. Returns one JSON-able object.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { PackComponents } from '../pipelines/pack-components.ts';
import { TextToImagePipeline } from '../pipelines/pipeline-text-to-image.ts';
import { benchLayerBind } from '../pipelines/layerbind/bench-layerbind.ts';
import { createSession, sessionOptions, type Device } from './execution-providers.ts';
import { FeedBuffers } from './feeds.ts';
import { GraphRunner } from './graph-runner.ts';
import { readPackModel } from './pack-model.ts';
import { verifyPack } from './pack-registry.ts';
import { defaultTuning, SessionPool } from './session-pool.ts';
import { detachedJobContext } from '../jobs/job-context.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '..', '..', '..');
const PROMPT = 'a large red star and a small blue circle on a yellow striped background with the word CAT';

export interface RuntimeBenchOptions {
  /** pack folder; default models/lamina-tiny when built, else the fixture pack */
  packDir?: string;
  device?: Device;
  steps?: number;
  iters?: number;
  /** skip the PyTorch reference */
  noTorch?: boolean;
  log?: (line: string) => void;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r2 = (x: number) => Math.round(x * 100) / 100;

export function defaultBenchPack(): string {
  const real = join(REPO, 'models', 'lamina-tiny');
  return existsSync(join(real, 'manifest.json')) ? real : join(HERE, 'fixtures', 'tiny-pack');
}

/** GEMM FLOPs of one run, from ORT's profile: MatMul / FusedMatMul / Gemm = 2*M*N*K, Conv = 2*out*Cin/g*kh*kw. */
export function gemmFlopsFromProfile(events: { cat?: string; name?: string; args?: Record<string, unknown> }[]): number {
  let flops = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args) continue;
    const op = e.args.op_name as string;
    const ins = ((e.args.input_type_shape as Record<string, number[]>[]) ?? []).map((x) => Object.values(x)[0] ?? []);
    const outs = ((e.args.output_type_shape as Record<string, number[]>[]) ?? []).map((x) => Object.values(x)[0] ?? []);
    const outSize = (outs[0] ?? []).reduce((a, b) => a * b, 1);
    if ((op === 'MatMul' || op === 'FusedMatMul' || op === 'Gemm' || op === 'MatMulNBits') && ins[0]?.length) {
      // K = the first input's last dim (weights are initializers and absent from the profile;
      // Lamina's exports never transpose A)
      flops += 2 * outSize * ins[0][ins[0].length - 1];
    } else if (op === 'Conv' && ins[0]?.length === 4 && outs[0]?.length === 4) {
      // weights are initializers (not in the profile): estimate K from the input channels and a 3x3 kernel
      flops += 2 * outSize * ins[0][1] * 9;
    }
  }
  return flops;
}

async function measureGemmPeak(device: Device, threads: number, n = 1024, runs = 8): Promise<{ gflops: number; ms: number; provider: string }> {
  const { session, provider } = await createSession(join(HERE, 'fixtures', 'matmul.onnx'), device, { ...defaultTuning(), intraOpNumThreads: threads });
  try {
    const a = new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), [n, n]);
    const b = new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5), [n, n]);
    for (let i = 0; i < 2; i++) await session.run({ A: a, B: b });
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await session.run({ A: a, B: b });
      best = Math.min(best, performance.now() - t);
    }
    return { gflops: (2 * n ** 3) / (best * 1e6), ms: best, provider };
  } finally {
    await session.release();
  }
}

function transformerFeeds(runner: GraphRunner, parts: PackComponents, batch: number, textEmbeds: ort.Tensor, textMask: Float32Array, textLen: number) {
  const m = parts.model;
  const lh = m.native.height / m.latent.vaeScaleFactor;
  const lw = m.native.width / m.latent.vaeScaleFactor;
  const bufs = new FeedBuffers();
  const latent = bufs.tensor('latent', 'float32', [batch, m.latent.channels, lh, lw]);
  (latent.data as Float32Array).forEach((_, i, arr) => (arr[i] = Math.sin(i)));
  const ts = bufs.tensor('timestep', 'float32', [batch]);
  (ts.data as Float32Array).fill(0.5);
  const embRow = (textEmbeds.data as Float32Array).subarray(0, (textEmbeds.data as Float32Array).length / textEmbeds.dims[0]);
  const emb = new Float32Array(batch * embRow.length);
  for (let b = 0; b < batch; b++) emb.set(embRow, b * embRow.length);
  const mask = new Float32Array(batch * textLen);
  for (let b = 0; b < batch; b++) mask.set(textMask.subarray(0, textLen), b * textLen);
  const feeds: Record<string, ort.Tensor> = { latent, timestep: ts, text_embeds: new ort.Tensor('float32', emb, [batch, textLen, textEmbeds.dims[2]]) };
  if (runner.hasInput('text_mask')) feeds.text_mask = new ort.Tensor('float32', mask, [batch, textLen]);
  const imageTokens = m.transformer.imageTokens ?? (lh / m.transformer.patchSize) * (lw / m.transformer.patchSize);
  return { feeds, bindings: { batch, text_len: textLen, joint_len: textLen + imageTokens } };
}

/** Median and best of `iters` timed runs. The best is what ratios use: on a shared machine
 * (CI: 2 cores and a training run) medians swing 2x between runs, bests much less. */
async function timeRuns(fn: () => Promise<unknown>, warmup: number, iters: number): Promise<{ median: number; min: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return { median: median(ts), min: Math.min(...ts) };
}

async function transformerFlops(model: ReturnType<typeof readPackModel>, feeds: Record<string, ort.Tensor>, bindings: Record<string, number>): Promise<number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-prof-'));
  try {
    const opts = { ...sessionOptions('cpu', { graphOptimizationLevel: 'all', intraOpNumThreads: 1 }), enableProfiling: true, profileFilePrefix: join(dir, 'p') };
    const session = await ort.InferenceSession.create(model.graphs.transformer.path, opts);
    const runner = new GraphRunner('transformer', { session, provider: 'cpu', key: 'prof', label: 'prof', bytes: 0, fallbacks: [] }, model.graphs.transformer);
    await runner.run({ ...feeds }, { bindings, fetch: ['velocity'] });
    (session as unknown as { endProfiling(): void }).endProfiling();
    await session.release();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) return null;
    return gemmFlopsFromProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PyTorch twin as a child process answering timing requests line by line. */
class TorchReference {
  private buffer = '';
  private waiting: ((line: string | null) => void)[] = [];
  private lines: string[] = [];
  private stderr = '';
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    child.stderr.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-2000)));
    child.on('close', () => this.waiting.splice(0).forEach((w) => w(null)));
    child.on('error', () => this.waiting.splice(0).forEach((w) => w(null)));
  }

  static start(packDir: string, textLen: number, threads: number, iters: number): TorchReference {
    const child = spawn(process.env.LAMINA_PYTHON ?? 'python3', [join(HERE, 'bench-torch-reference.py')], { stdio: 'pipe' });
    child.stdin.write(JSON.stringify({ pack: packDir, text_len: textLen, threads, iters, warmup: 3, batches: [1, 2], serve: true }) + '\n');
    return new TorchReference(child);
  }

  private next(timeoutMs = 300_000): Promise<string | null> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), timeoutMs);
      this.waiting.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
  }

  async header(): Promise<Record<string, unknown>> {
    const line = await this.next();
    if (!line) return { available: false, reason: `reference failed: ${this.stderr.trim().split('\n').at(-1) ?? 'no output'}` };
    return JSON.parse(line);
  }

  async burst(batch: number, iters: number): Promise<number[]> {
    this.child.stdin.write(JSON.stringify({ batch, iters }) + '\n');
    const line = await this.next();
    return line ? (JSON.parse(line) as { times: number[] }).times : [];
  }

  close(): void {
    try {
      this.child.stdin.end(JSON.stringify({ quit: true }) + '\n');
    } catch {
      /* already gone */
    }
    setTimeout(() => this.child.kill(), 2000).unref();
  }
}

export async function runRuntimeBench(opts: RuntimeBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? (() => {});
  const packDir = opts.packDir ?? defaultBenchPack();
  const device = opts.device ?? 'auto';
  const steps = opts.steps ?? 20;
  const iters = opts.iters ?? 20;
  const pack = await verifyPack(packDir);
  const model = readPackModel(pack);
  const tuning = defaultTuning();
  const threads = tuning.intraOpNumThreads ?? 1;
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  const out: Record<string, unknown> = {
    pack: `${model.id}@${model.version}`,
    size: `${model.native.width}x${model.native.height}`,
    steps,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores, loadavg_1m: r2(loadavg()[0] ?? 0), node: process.versions.node, onnxruntime: ort.env.versions?.common ?? null },
    threads,
  };

  log('bench: GEMM peak (1024^3 fp32 MatMul)…');
  const gemm = await measureGemmPeak(device, threads);
  out.gemm_peak_gflops = r2(gemm.gflops);

  const pool = new SessionPool({ tuning });
  try {
    const parts = new PackComponents(pack, pool, device);
    // end to end: cold (sessions load) then warm, 20 steps, batch 1, CFG on, no previews
    log(`bench: text-to-image ${out.size}, ${steps} steps, CFG…`);
    const spec = { prompt: PROMPT, width: model.native.width, height: model.native.height, seed: 1, steps, guidance: 4, device };
    const ctx = detachedJobContext();
    const cold = await new TextToImagePipeline(pack, { pool, previewEvery: 0 }).run(spec, ctx);
    const warm = await new TextToImagePipeline(pack, { pool, previewEvery: 0 }).run(spec, ctx);
    const warm2 = await new TextToImagePipeline(pack, { pool, previewEvery: 0 }).run(spec, ctx);
    const best = warm.timings.total_ms <= warm2.timings.total_ms ? warm : warm2;
    out.provider = best.provider;
    out.t2i_ms = best.timings.total_ms;
    out.t2i_cold_ms = cold.timings.total_ms;
    out.step_ms = best.timings.step_ms;
    out.t2i_breakdown_ms = best.timings;
    const withPreview = await new TextToImagePipeline(pack, { pool }).run(spec, ctx);
    out.t2i_with_previews_ms = withPreview.timings.total_ms;

    // transformer alone, batch 1 and 2
    const text = await parts.encodePrompts([PROMPT]);
    const tr = await parts.graph('transformer');
    const perBatch: Record<string, { feeds: Record<string, ort.Tensor>; bindings: Record<string, number> }> = {};
    for (const b of [1, 2]) {
      perBatch[b] = transformerFeeds(tr, parts, b, text.embeds, text.mask, text.length);
      const ms = await timeRuns(() => tr.run({ ...perBatch[b].feeds }, { bindings: perBatch[b].bindings, fetch: ['velocity'] }), 3, iters);
      out[`step_ms_b${b}`] = r2(ms.median);
      out[`step_ms_b${b}_best`] = r2(ms.min);
    }
    out.text_len = text.length;
    log('bench: transformer FLOPs (ORT profile)…');
    const flops2 = await transformerFlops(model, perBatch[2].feeds, perBatch[2].bindings);
    const flops1 = await transformerFlops(model, perBatch[1].feeds, perBatch[1].bindings);
    out.transformer_gflop_per_call = { b1: flops1 === null ? null : r2(flops1 / 1e9), b2: flops2 === null ? null : r2(flops2 / 1e9) };

    // thread sweep (batch 2): what defaultTuning's choice is worth on this machine now
    const sweep: Record<string, number> = {};
    for (const t of [...new Set([1, 2, cores].filter((x) => x <= Math.max(cores, 2)))]) {
      const p2 = new SessionPool({ tuning: { ...tuning, intraOpNumThreads: t } });
      try {
        const s = await p2.acquire({ path: model.graphs.transformer.path }, 'cpu');
        const g = new GraphRunner('transformer', s, model.graphs.transformer);
        const ms = await timeRuns(() => g.run({ ...perBatch[2].feeds }, { bindings: perBatch[2].bindings, fetch: ['velocity'] }), 2, Math.max(5, iters >> 1));
        sweep[String(t)] = r2(ms.min);
        p2.release(s);
      } finally {
        await p2.dispose();
      }
    }
    out.thread_sweep_best_step_ms_b2 = sweep;

    // the same transformer in PyTorch eager, same thread count, timed in bursts interleaved
    // with ORT bursts so both see the same background load; ratio of the best runs
    if (opts.noTorch) {
      out.torch_ratio = null;
      out.torch = { available: false, reason: '--no-torch' };
    } else {
      log('bench: PyTorch eager reference (interleaved with ORT)…');
      const ref = TorchReference.start(packDir, text.length, threads, iters);
      try {
        const head = await ref.header();
        out.torch = head;
        if (head.available) {
          const best: Record<string, { ort: number; torch: number }> = { 1: { ort: Infinity, torch: Infinity }, 2: { ort: Infinity, torch: Infinity } };
          for (let round = 0; round < 6; round++) {
            for (const b of [1, 2]) {
              const o = await timeRuns(() => tr.run({ ...perBatch[b].feeds }, { bindings: perBatch[b].bindings, fetch: ['velocity'] }), 0, 5);
              const t = await ref.burst(b, 5);
              best[b].ort = Math.min(best[b].ort, o.min);
              best[b].torch = Math.min(best[b].torch, ...t);
            }
          }
          out.torch_interleaved_best_ms = { b1: { ort: r2(best[1].ort), torch: r2(best[1].torch) }, b2: { ort: r2(best[2].ort), torch: r2(best[2].torch) } };
          out.torch_ratio = r2(best[2].torch / best[2].ort);
          out.torch_ratio_b1 = r2(best[1].torch / best[1].ort);
          const tf = (head.flops ?? {}) as Record<string, number>;
          if (tf['2'] && flops2) out.flops_check_torch_vs_ort = r2(tf['2'] / flops2);
        } else out.torch_ratio = null;
      } finally {
        ref.close();
      }
    }

    // achieved GEMM GFLOP/s of one CFG step (batch 2), best run seen, against the best GEMM run
    const bestB2 = Math.min(out.step_ms_b2_best as number, ...(out.torch_interleaved_best_ms ? [(out.torch_interleaved_best_ms as { b2: { ort: number } }).b2.ort] : []));
    const bestB1 = Math.min(out.step_ms_b1_best as number, ...(out.torch_interleaved_best_ms ? [(out.torch_interleaved_best_ms as { b1: { ort: number } }).b1.ort] : []));
    out.transformer_gflops = flops2 === null ? null : r2(flops2 / (bestB2 * 1e6));
    out.transformer_gflops_b1 = flops1 === null ? null : r2(flops1 / (bestB1 * 1e6));
    out.gemm_utilization = flops2 === null ? null : r2((out.transformer_gflops as number) / gemm.gflops);
    parts.release();

    // WebGPU, when it starts here
    try {
      const web = new SessionPool({ tuning });
      try {
        const s = await web.acquire({ path: model.graphs.transformer.path }, 'webgpu');
        const g = new GraphRunner('transformer', s, model.graphs.transformer);
        const ms = (await timeRuns(() => g.run({ ...perBatch[2].feeds }, { bindings: perBatch[2].bindings, fetch: ['velocity'] }), 3, iters)).min;
        web.release(s);
        const t2i = await new TextToImagePipeline(pack, { pool: web, previewEvery: 0 }).run({ ...spec, device: 'webgpu' }, ctx);
        const t2iWarm = await new TextToImagePipeline(pack, { pool: web, previewEvery: 0 }).run({ ...spec, device: 'webgpu' }, ctx);
        out.webgpu = { available: true, step_ms_b2_best: r2(ms), t2i_ms: Math.min(t2i.timings.total_ms, t2iWarm.timings.total_ms), transformer_gflops: flops2 ? r2(flops2 / (ms * 1e6)) : null };
      } finally {
        await web.dispose();
      }
    } catch (err) {
      out.webgpu = { available: false, reason: (err as Error).message.split('\n')[0].slice(0, 300) };
    }
  } finally {
    await pool.dispose();
  }
  const lb = await benchLayerBind({ packDir, device, steps, iters: opts.iters ?? 3 });
  out.layerbind2_ratio = lb.layerbind2_ratio;
  out.layerbind4_ratio = lb.layerbind4_ratio;
  out.peak_rss_mb = r2(process.resourceUsage().maxRSS / 1024);
  return out;
}

// The measurement that chose how a LoRA adapter reaches the transformer (docs/lora.md):
//   merged       the adapter merged into the weights (./lora-merge.ts), a session of that graph
//   overridable  the target initializers also graph inputs, merged weights fed with every call
//   inputs       LoRA as extra graph inputs (A^T, B^T per target and a scale), zeros = no effect
// on the pack's transformer, CPU, one intra-op thread, batch 2 (CFG), text_len 17: median
// step ms of 15 calls after 3 warm-ups, session creation ms, resident memory growth.
//   python -m models.recipes.lora_variants --blocks 2 --out DIR   (and --blocks all)
//   node --import tsx main/engine/runtime/lora-strategy-bench.ts DIR [models/lamina-tiny]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { createSession } from './execution-providers.ts';
import { mergeLora } from './lora-merge.ts';
import type { SafeTensors } from './safetensors.ts';

const [dir, packDir = 'models/lamina-tiny'] = process.argv.slice(2);
if (!dir) throw new Error('usage: lora-strategy-bench.ts VARIANTS_DIR [PACK_DIR]');
const tuning = { graphOptimizationLevel: 'all' as const, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const, allowSpinning: false };
const B = 2;
const T = 17;
const manifest = JSON.parse(readFileSync(join(packDir, 'manifest.json'), 'utf8'));
const tr = manifest.transformer;
const latentDims = manifest.graphs.transformer.inputs[0].dims.slice(1) as number[];
const N = tr.image_tokens as number;
const rnd = (n: number, s = 0.02) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + n) * s);
const t = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
const kv = [tr.block_count, B, tr.heads, T, tr.head_dim];
const baseFeeds = () => ({
  latent: t(rnd(B * latentDims.reduce((a, b) => a * b, 1), 1), [B, ...latentDims]),
  timestep: t(Float32Array.from([0.5, 0.5]), [B]),
  text_embeds: t(rnd(B * T * tr.text_dim, 1), [B, T, tr.text_dim]),
  text_mask: t(new Float32Array(B * T).fill(1), [B, T]),
  attn_bias: t(new Float32Array(B * (T + N) ** 2), [B, 1, T + N, T + N]),
  text_k_override: t(new Float32Array(kv.reduce((a, b) => a * b, 1)), kv),
  text_v_override: t(new Float32Array(kv.reduce((a, b) => a * b, 1)), kv),
  kv_mix: t(new Float32Array(B * tr.block_count), [B, tr.block_count]),
});

/** Interleaved timing (the machine is shared): rounds of 3 calls of every config, median per config. */
async function medians(configs: Record<string, { session: ort.InferenceSession; feeds: Record<string, ort.Tensor> }>, rounds = 12): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (const [k, c] of Object.entries(configs)) {
    times[k] = [];
    for (let i = 0; i < 3; i++) await c.session.run(c.feeds, ['velocity']);
  }
  for (let r = 0; r < rounds; r++) {
    for (const [k, c] of Object.entries(configs)) {
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await c.session.run(c.feeds, ['velocity']);
        times[k].push(performance.now() - t0);
      }
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]));
}

async function created(model: string | Uint8Array) {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const { session } = await createSession(model, 'cpu', tuning, 'bench');
  return { session, ms: performance.now() - t0, mb: (process.memoryUsage().rss - rss0) / 2 ** 20 };
}

const fmt = (n: number) => n.toFixed(1);
const graph = readFileSync(join(packDir, 'transformer.onnx'));
const base = await created(join(packDir, 'transformer.onnx'));
const feeds = baseFeeds();
console.log(`base: create ${fmt(base.ms)} ms, +${fmt(base.mb)} MB (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
for (const tag of ['2', 'all']) {
  const { rank, targets } = JSON.parse(readFileSync(join(dir, `targets-${tag}.json`), 'utf8')) as { rank: number; targets: { module: string; initializer: string; in: number; out: number }[] };
  const file: SafeTensors = { metadata: {}, tensors: new Map() };
  for (const x of targets) {
    file.tensors.set(`${x.module}.lora_A`, { shape: [rank, x.in], data: rnd(rank * x.in) });
    file.tensors.set(`${x.module}.lora_B`, { shape: [x.out, rank], data: rnd(x.out * rank) });
  }
  const component = { kind: 'lora' as const, file: 'x', graph: 'transformer', rank, alpha: rank, defaultStrength: 1, blocks: [], targets: targets.map((x) => ({ ...x, layout: 'in_out' as const })) };
  // (a) merged: merge + a new session of the merged graph
  const m0 = performance.now();
  const mergedBytes = mergeLora(graph, [{ merge: { id: 'x', component, path: 'x', strength: 1 }, file }], 'bench');
  const mergeMs = performance.now() - m0;
  const merged = await created(mergedBytes);
  // (a') overridable initializers: merged weights fed with every call
  const ov = await created(join(dir, `transformer-overridable-${tag}.onnx`));
  const weights: Record<string, ort.Tensor> = {};
  for (const x of targets) weights[x.initializer] = t(rnd(x.in * x.out), [x.in, x.out]);
  // (b) LoRA inputs: zeros (no adapter) and an adapter
  const li = await created(join(dir, `transformer-inputs-${tag}.onnx`));
  const lora = (zero: boolean) => {
    const f: Record<string, ort.Tensor> = { lora_scale: t(Float32Array.from([zero ? 0 : 1]), [1]) };
    for (const x of targets) {
      f[`${x.module}.lora_a`] = t(zero ? new Float32Array(x.in * rank) : rnd(x.in * rank), [x.in, rank]);
      f[`${x.module}.lora_b`] = t(zero ? new Float32Array(rank * x.out) : rnd(rank * x.out), [rank, x.out]);
    }
    return f;
  };
  const ms = await medians({
    base: { session: base.session, feeds }, merged: { session: merged.session, feeds },
    'overridable fed': { session: ov.session, feeds: { ...feeds, ...weights } }, 'overridable not fed': { session: ov.session, feeds },
    'inputs zeros': { session: li.session, feeds: { ...feeds, ...lora(true) } }, 'inputs adapter': { session: li.session, feeds: { ...feeds, ...lora(false) } },
  });
  console.log(`blocks ${tag} (${targets.length} targets), step ms: ${Object.entries(ms).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  console.log(`blocks ${tag}: merged: merge ${fmt(mergeMs)} ms + create ${fmt(merged.ms)} ms, +${fmt(merged.mb)} MB; overridable create ${fmt(ov.ms)} ms, +${fmt(ov.mb)} MB; inputs create ${fmt(li.ms)} ms, +${fmt(li.mb)} MB`);
  for (const s of [merged.session, ov.session, li.session]) await s.release();
}
await base.session.release();

// Measures (not computes) what LayerBind's dense fp32 attention bias costs in Lamina's
// runtime path at FLUX's 1024 x 1024 token count: 4096 image + 512 text tokens (J = 4608).
// The tiny-width FLUX pack (testing/real-packs.ts) runs one transformer call through the
// SessionPool on CPU, in a fresh child process per case, and reports peak RSS
// (process.resourceUsage().maxRSS) after the session and the other feeds, after the bias
// tensor, and after the run:
//   bias: the converted graph fed a region bias [1, 1, J, J] float32 built by LayerBind's buildBias;
//   none: the same transformer exported without the bias input (models/recipes/bias_memory.py).
//
//   node --import tsx scripts/measure-bias-memory.ts [--image-tokens 4096] [--text-len 512]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBias, textLayout } from '../main/engine/pipelines/layerbind/attention-bias.ts';
import { diffusionManifest } from '../main/engine/runtime/pack-model.ts';
import { verifyPack } from '../main/engine/runtime/pack-registry.ts';
import { SessionPool } from '../main/engine/runtime/session-pool.ts';
import { floatTensor } from '../main/engine/runtime/tensors.ts';
import { REAL_PACKS_CACHE, runPython, tinyRealPack } from '../main/engine/testing/real-packs.ts';

const { values: a } = parseArgs({ options: { 'image-tokens': { type: 'string', default: '4096' }, 'text-len': { type: 'string', default: '512' }, child: { type: 'string' }, graph: { type: 'string' }, pack: { type: 'string' } } });
const N = Number(a['image-tokens']);
const T = Number(a['text-len']);
const MiB = 2 ** 20;
const peak = () => (process.resourceUsage().maxRSS * 1024) / MiB;

async function child(kind: 'bias' | 'none', graph: string, packDir: string): Promise<void> {
  const m = diffusionManifest(await verifyPack(packDir));
  const tr = m.components.transformer;
  const spec = m.graphs[tr.graph];
  const dim = (name: string, i: number) => spec.inputs.find((x) => x.name === name)!.dims[i] as number;
  const C = dim(tr.io.latent, 2);
  const textDim = dim(tr.io.text, 2);
  const pooledDim = dim(tr.io.pooledText!, 1);
  const [blocks, , heads, , hd] = spec.inputs.find((x) => x.name === tr.io.textKv!.kOverride)!.dims as number[];
  const side = Math.round(Math.sqrt(N));
  const ids = new Float32Array(N * 3);
  for (let n = 0; n < N; n++) { ids[n * 3 + 1] = Math.floor(n / side); ids[n * 3 + 2] = n % side; }
  const rnd = (len: number) => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const pool = new SessionPool();
  const s = await pool.acquire({ path: graph, label: `tiny-flux/${kind}` }, 'cpu');
  const feeds: Record<string, ReturnType<typeof floatTensor>> = {
    [tr.io.latent]: floatTensor(rnd(N * C), [1, N, C]),
    [tr.io.timestep]: floatTensor(new Float32Array([0.5]), [1]),
    [tr.io.guidance!]: floatTensor(new Float32Array([3.5]), [1]),
    [tr.io.text]: floatTensor(rnd(T * textDim), [1, T, textDim]),
    [tr.io.pooledText!]: floatTensor(rnd(pooledDim), [1, pooledDim]),
    [tr.io.imageIds!]: floatTensor(ids, [N, 3]),
    [tr.io.textIds!]: floatTensor(new Float32Array(T * 3), [T, 3]),
    [tr.io.textKv!.kOverride]: floatTensor(new Float32Array(blocks * heads * T * hd), [blocks, 1, heads, T, hd]),
    [tr.io.textKv!.vOverride]: floatTensor(new Float32Array(blocks * heads * T * hd), [blocks, 1, heads, T, hd]),
    [tr.io.textKv!.mix]: floatTensor(new Float32Array(blocks), [1, blocks]),
  };
  const before = peak();
  const J = N + T;
  if (kind === 'bias') {
    // built by LayerBind's kernel (buildBias): a global and a region prompt of T / 2 tokens each,
    // the region's prompt and the top half of the image (a region) see only each other
    const inRegion = (image: number) => image >= 0 && image < N / 2;
    const bias = buildBias(textLayout([T / 2, T / 2]), N, (q, k) => (q.slot === 1 || k.slot === 1 ? (q.slot === 1 ? k.slot === 1 || inRegion(k.image) : inRegion(q.image)) : true));
    const batch = new Float32Array(J * J); // the batch feed it is copied into, as pipeline-layerbind does
    batch.set(bias);
    feeds[tr.io.attentionBias!] = floatTensor(batch, [1, 1, J, J]);
  }
  const withBias = peak();
  const t0 = performance.now();
  await s.session.run(feeds);
  const ms = performance.now() - t0;
  const after = peak();
  pool.release(s);
  await pool.dispose();
  console.log(JSON.stringify({ kind, J, heads, blocks, singleBlocks: tr.singleBlockCount ?? 0, peakMiB: { sessionAndFeeds: before, withBias, afterRun: after }, runMs: Math.round(ms) }));
}

async function main(): Promise<void> {
  if (a.child) return child(a.child as 'bias' | 'none', a.graph!, a.pack!);
  const dirs = tinyRealPack('flux');
  const nobias = join(REAL_PACKS_CACHE, 'bias-memory', 'transformer_nobias.onnx');
  if (!existsSync(nobias)) {
    mkdirSync(join(REAL_PACKS_CACHE, 'bias-memory'), { recursive: true });
    runPython(['-m', 'models.recipes.bias_memory', dirs.diffusers, '--out', nobias]);
  }
  const cases: [string, string][] = [['none', nobias], ['bias', join(dirs.pack, 'transformer.onnx')]];
  for (const [kind, graph] of cases) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', kind, '--graph', graph, '--pack', dirs.pack, '--image-tokens', String(N), '--text-len', String(T)],
      { encoding: 'utf8', env: { ...process.env, LAMINA_THREADS: process.env.LAMINA_THREADS ?? '1' } });
    if (r.status !== 0) throw new Error(`${kind}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
    console.log(r.stdout.trim());
  }
}

await main();

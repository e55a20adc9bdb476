// Smoke test of the bench plumbing (keys, FLOP counting); no timing assertions here —
// speed lives in `lamina bench`, never in timed unit tests.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { gemmFlopsFromProfile, runRuntimeBench } from './runtime-bench.ts';
import './test-quiet-providers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

test('bench: GEMM FLOPs counted from the ORT profile (M=4, K=5, N=6 -> 240)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-prof-test-'));
  try {
    const s = await ort.InferenceSession.create(join(FIXTURES, 'matmul.onnx'), { enableProfiling: true, profileFilePrefix: join(dir, 'p') } as ort.InferenceSession.SessionOptions);
    await s.run({ A: new ort.Tensor('float32', new Float32Array(20), [4, 5]), B: new ort.Tensor('float32', new Float32Array(30), [5, 6]) });
    (s as unknown as { endProfiling(): void }).endProfiling();
    await s.release();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
    assert.equal(gemmFlopsFromProfile(JSON.parse(readFileSync(join(dir, file), 'utf8'))), 240);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench: one JSON object with the keys the issue asks for (fixture pack, 2 steps, no torch)', async () => {
  const r = await runRuntimeBench({ packDir: join(FIXTURES, 'tiny-pack'), device: 'cpu', steps: 2, iters: 2, noTorch: true });
  for (const k of ['provider', 'size', 'steps', 't2i_ms', 'step_ms', 'torch_ratio', 'gemm_peak_gflops', 'transformer_gflops', 'peak_rss_mb']) assert.ok(k in r, `missing ${k}`);
  assert.equal(r.provider, 'cpu');
  assert.equal(r.size, '64x64');
  assert.equal(r.torch_ratio, null);
  assert.ok((r.gemm_peak_gflops as number) > 0);
  assert.ok((r.transformer_gflops as number) > 0);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(r)));
});

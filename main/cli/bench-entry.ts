// `npm run bench` runtime section (spawned by scripts/bench.ts): prints one JSON object.
// Options come from the environment: LAMINA_BENCH_PACK, LAMINA_BENCH_DEVICE, LAMINA_BENCH_STEPS.
import type { Device } from '../engine/runtime/execution-providers.ts';
import { runRuntimeBench } from '../engine/runtime/runtime-bench.ts';

const result = await runRuntimeBench({
  packDir: process.env.LAMINA_BENCH_PACK || undefined,
  device: (process.env.LAMINA_BENCH_DEVICE as Device | undefined) ?? 'auto',
  steps: process.env.LAMINA_BENCH_STEPS ? Number(process.env.LAMINA_BENCH_STEPS) : undefined,
  log: (l) => process.stderr.write(l + '\n'),
});
process.stdout.write(JSON.stringify(result) + '\n');

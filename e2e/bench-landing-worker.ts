// Job worker for the landing bench: the real job protocol (job-worker-loop.ts) whose job
// is only the last step of a pipeline: pack a ready 1024x1024 image as a generate result
// with the same function the pipelines use (imaging/result-pixels.ts).
import { parentPort } from 'node:worker_threads';
import { serveJobs } from '../main/engine/jobs/job-worker-loop.ts';
import { resultPixels } from '../main/engine/imaging/result-pixels.ts';
import { benchPixels } from './bench-pixels.ts';

const SIDE = 1024;
const data = benchPixels(SIDE);
const provenance = { task: 'generate', packId: 'bench', packVersion: '0', pipeline: 'bench', prompt: 'bench', seed: 0, steps: 1, guidance: 1, sampler: 'flow-euler' };

serveJobs(parentPort!, async () => {
  const t0 = performance.now();
  const pixels = await resultPixels({ width: SIDE, height: SIDE, data: data.slice() });
  return {
    landing: 'add-layers',
    layers: [{ name: 'bench', x: 0, y: 0, ...pixels, provenance }],
    provider: 'bench',
    timings: { package_ms: performance.now() - t0 },
  };
});

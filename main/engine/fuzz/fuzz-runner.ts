// Runs fuzz cases in a worker thread with a per-case time limit (a case past it is a hang:
// the worker is terminated and the run goes on with the next case) and a heap limit (a
// worker that dies, out of memory or natively, is a crash finding). Samples the process RSS.
import { Worker } from 'node:worker_threads';
import type { CaseOutcome, WorkerJob } from './fuzz-worker.ts';

export const CASE_TIMEOUT_MS = 5000;
/** A worker's start (tsx, sharp, ag-psd) is not a case: on a loaded machine it can take many seconds. */
const BOOT_TIMEOUT_MS = 180_000;
const WORKER_HEAP_MB = 1024;
const BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./fuzz-worker.ts', import.meta.url).href)}); });`;

export interface Finding { target: string; seed: number; index: number; what: string; message: string }
export interface TargetReport {
  target: string;
  cases: number;
  ok: number;
  refused: Record<string, number>;
  findings: Finding[];
  maxCaseMs: number;
  peakRssMb: number;
  seconds: number;
}

export async function fuzzTargetCases(target: string, seed: number, cases: number, opts: { timeoutMs?: number; onProgress?: (done: number) => void } = {}): Promise<TargetReport> {
  const timeoutMs = opts.timeoutMs ?? CASE_TIMEOUT_MS;
  const report: TargetReport = { target, cases: 0, ok: 0, refused: {}, findings: [], maxCaseMs: 0, peakRssMb: 0, seconds: 0 };
  const start = Date.now();
  const rss = setInterval(() => (report.peakRssMb = Math.max(report.peakRssMb, process.memoryUsage.rss() / 2 ** 20)), 100);
  let next = 0;
  try {
    while (next < cases) {
      next = await new Promise<number>((resolve, reject) => {
        const job: WorkerJob = { target, seed, from: next, to: cases };
        const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { fuzz: job }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
        let current = job.from;
        let settled = false;
        const finish = (n: number) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          void worker.terminate();
          resolve(n);
        };
        const finding = (what: string, message: string) => {
          report.cases++;
          report.findings.push({ target, seed, index: current, what, message });
        };
        let timer = setTimeout(() => {
          finding('worker did not start', `no ready within ${BOOT_TIMEOUT_MS} ms`);
          finish(current + 1);
        }, BOOT_TIMEOUT_MS);
        function onTimeout() {
          finding('hang', `no result within ${timeoutMs} ms`);
          finish(current + 1);
        }
        worker.on('message', (o: CaseOutcome | { ready: true }) => {
          clearTimeout(timer);
          if ('ready' in o) {
            timer = setTimeout(onTimeout, timeoutMs);
            return;
          }
          report.cases++;
          report.maxCaseMs = Math.max(report.maxCaseMs, o.ms);
          if (o.kind === 'ok') report.ok++;
          else if (o.kind === 'refused') report.refused[o.code] = (report.refused[o.code] ?? 0) + 1;
          else report.findings.push({ target, seed, index: o.index, what: o.what, message: o.message });
          if (o.ms > timeoutMs && o.kind !== 'finding') report.findings.push({ target, seed, index: o.index, what: 'slow', message: `${o.ms.toFixed(0)} ms` });
          current = o.index + 1;
          opts.onProgress?.(current);
          if (current >= cases) finish(current);
          else timer = setTimeout(onTimeout, timeoutMs);
        });
        worker.on('error', (err) => {
          if (settled) return;
          finding('worker died', String((err as Error).message ?? err).split('\n')[0]);
          finish(current + 1);
        });
        worker.on('exit', (code) => {
          if (settled) return;
          if (current < cases) finding('worker exited', `exit code ${code}`);
          finish(current + 1);
        });
        void reject;
      });
    }
  } finally {
    clearInterval(rss);
  }
  report.seconds = (Date.now() - start) / 1000;
  return report;
}

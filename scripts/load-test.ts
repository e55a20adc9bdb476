// `npm run load`: one engine behind `lamina serve`, 20 concurrent WebSocket clients starting
// 200 real generation jobs (fixture pack, 64 px, 2 steps) with random cancels. Every job
// must end (done, failed or cancelled), no ONNX session may be left in use, no document
// left open once its client closed it, and the engine's and job process's RSS after the
// run must be within 10 % of before it (after a warm-up of 60 jobs with the same cancels:
// the engine's RSS is still climbing to its plateau after 20). Prints the figures,
// with the RSS peak (sampled every 250 ms); exits 1 when a check fails.
//   npm run load -- [--jobs N] [--clients N] [--cancel P] [--seed S] [--warmup N]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EventMessage } from '../common/contract/wire.ts';
import { startServer } from '../main/server/server.ts';
import { connectWs, type WsTestClient } from '../main/server/ws-test-client.ts';
import { tempEngine } from '../main/engine/testing/temp-engine.ts';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '200' }, clients: { type: 'string', default: '20' }, cancel: { type: 'string', default: '0.3' }, seed: { type: 'string', default: '1' }, warmup: { type: 'string', default: '60' } } });
const WARMUP = Number(values.warmup);
const JOBS = Number(values.jobs);
const CLIENTS = Number(values.clients);
const CANCEL = Number(values.cancel);
/** job i's own random numbers, so which jobs are cancelled (and when) does not depend on timing */
function jobRand(i: number): () => number {
  let s = (Number(values.seed) * 100_003 + i * 7919) >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

const PACKS = fileURLToPath(new URL('../main/engine/runtime/fixtures', import.meta.url));
const t = tempEngine({ packDirs: [PACKS] });
const server = await startServer({ engine: t.engine, port: 0 });
const url = `ws://127.0.0.1:${server.port}/ws`;
const spec = (seed: number) => ({ prompt: 'a large red circle', width: 64, height: 64, seed, steps: 2, packId: 'fixture-tiny', device: 'cpu' as const });
const FINAL = new Set(['done', 'failed', 'cancelled']);

// Every client sees every job event. One router for the whole run settles each job on the
// first final event any client got for it (one that comes before jobs.start has answered
// waits in `early`), and counts what each client saw.
const ends = new Map<string, (state: string) => void>();
const early = new Map<string, string>();
const seenFinal = new Map<WsTestClient, number>();
function route(c: WsTestClient, e: EventMessage): void {
  if (e.event !== 'job.event') return;
  const p = e.payload as { jobId: string; state: string };
  if (!FINAL.has(p.state)) return;
  seenFinal.set(c, (seenFinal.get(c) ?? 0) + 1);
  const end = ends.get(p.jobId);
  if (end) (ends.delete(p.jobId), end(p.state));
  else early.set(p.jobId, p.state);
}
const ended = (jobId: string) =>
  new Promise<string>((resolve) => {
    const state = early.get(jobId);
    if (state) (early.delete(jobId), resolve(state));
    else ends.set(jobId, resolve);
  });

let finished = 0;
async function runJobs(clients: WsTestClient[], n: number, cancelP: number): Promise<Record<string, number>> {
  const outcome: Record<string, number> = {};
  const docs = await Promise.all(clients.map((c) => c.call('document.new', { width: 64, height: 64 }) as Promise<{ docId: string }>));
  const all: Promise<string>[] = [];
  finished = 0;
  // the clients start their jobs concurrently, each its share in order
  await Promise.all(clients.map(async (c, k) => {
    for (let i = k; i < n; i += clients.length) {
      const { jobId } = (await c.call('jobs.start', { task: 'generate', docId: docs[k].docId, spec: spec(i) })) as { jobId: string };
      all.push(ended(jobId).then((s) => (finished++, s)));
      const rand = jobRand(i);
      if (rand() < cancelP) {
        const delay = rand() * 400;
        // another client cancels it (any client may cancel any job)
        setTimeout(() => void clients[(k + 1) % clients.length].call('jobs.cancel', { jobId }).catch(() => undefined), delay);
      }
    }
  }));
  const timeout = new Promise<string[]>((_, reject) => setTimeout(() => reject(new Error(`jobs did not all end within 30 minutes (${finished}/${n} ended)`)), 30 * 60_000).unref());
  for (const s of await Promise.race([Promise.all(all), timeout])) outcome[s] = (outcome[s] ?? 0) + 1;
  await Promise.all(clients.map((c, k) => c.call('document.close', { docId: docs[k].docId })));
  // no document left open: each is gone for every client
  const left = await Promise.all(docs.map(({ docId }) => clients[0].call('document.get', { docId }).then(() => docId, () => null)));
  openDocs = left.filter(Boolean).length;
  return outcome;
}
let openDocs = 0;

const rss = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const s = await t.engine.jobs.stats();
  const m = process.memoryUsage();
  return { engine: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers, jobs: s.rssBytes, s };
};
const peak = { engine: 0, jobs: 0 };
let sampling = false;
const sampler = setInterval(() => {
  peak.engine = Math.max(peak.engine, process.memoryUsage.rss());
  if (sampling) return;
  sampling = true;
  void t.engine.jobs.stats().then((s) => (peak.jobs = Math.max(peak.jobs, s.rssBytes), (sampling = false)));
}, 250);
const mb = (b: number) => (b / 2 ** 20).toFixed(0);
const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connectWs(url)));
const router = setInterval(() => clients.forEach((c) => c.events.splice(0).forEach((e) => route(c, e))), 10);
const start = Date.now();
const progress = setInterval(() => process.stderr.write(`  ${finished} jobs ended, ${((Date.now() - start) / 1000).toFixed(0)} s\n`), 30_000);
await runJobs(clients, WARMUP, CANCEL); // warm-up: the job process, its sessions, the caches, the allocators
const before = await rss();
const mainStart = Date.now();
const outcome = await runJobs(clients, JOBS, CANCEL);
const mainSeconds = (Date.now() - mainStart) / 1000;
await new Promise((r) => setTimeout(r, 2000));
const after = await rss();
clearInterval(sampler);
clearInterval(progress);
const list = (await clients[0].call('jobs.list', {})) as { state: string }[];
const notFinal = list.filter((j) => !FINAL.has(j.state)).length;
const growth = { engine: after.engine / before.engine - 1, jobs: after.jobs / before.jobs - 1 };
const finals = [...seenFinal.values()];
console.log(`load: ${JOBS} jobs from ${CLIENTS} WebSocket clients, ${(CANCEL * 100).toFixed(0)} % asked to cancel, in ${mainSeconds.toFixed(0)} s (${((Date.now() - start) / 1000).toFixed(0)} s with the warm-up): ${JSON.stringify(outcome)}`);
console.log(`every client saw ${Math.min(...finals)}-${Math.max(...finals)} of the ${JOBS + WARMUP} final job events`);
console.log(`jobs.list: ${list.length} jobs, ${notFinal} not ended; ONNX sessions open ${after.s.sessionsOpen} (the pool's cache), in use ${after.s.sessionsInUse}; jobs running ${after.s.running}; documents left open ${openDocs}`);
console.log(`engine heap after GC (JS heap + external + array buffers) ${mb(before.heap)} -> ${mb(after.heap)} MB`);
console.log(`RSS engine ${mb(before.engine)} -> ${mb(after.engine)} MB (${(growth.engine * 100).toFixed(1)} %, peak ${mb(peak.engine)} MB), job process ${mb(before.jobs)} -> ${mb(after.jobs)} MB (${(growth.jobs * 100).toFixed(1)} %, peak ${mb(peak.jobs)} MB)`);
clearInterval(router);
for (const c of clients) c.close();
await server.close();
await t.dispose();
const allEnded = Object.values(outcome).reduce((a, b) => a + b, 0) === JOBS && notFinal === 0 && after.s.running === 0;
const ok = allEnded && after.s.sessionsInUse === 0 && openDocs === 0 && growth.engine <= 0.1 && growth.jobs <= 0.1;
console.log(ok ? 'load: ok' : 'load: FAILED');
process.exit(ok ? 0 : 1);

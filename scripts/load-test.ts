// `npm run load`: one engine behind `lamina serve`, 20 concurrent WebSocket clients starting
// 200 real generation jobs (fixture pack, 64 px, 2 steps) with random cancels. Every job
// must end (done, failed or cancelled), no ONNX session may be left in use, and the
// engine's and job process's RSS after the run must be within 10 % of before it (after a
// warm-up of 20 jobs). Prints the figures; exits 1 when a check fails.
//   npm run load -- [--jobs N] [--clients N] [--cancel P] [--seed S]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from '../main/server/server.ts';
import { connectWs, type WsTestClient } from '../main/server/ws-test-client.ts';
import { tempEngine } from '../main/engine/testing/temp-engine.ts';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '200' }, clients: { type: 'string', default: '20' }, cancel: { type: 'string', default: '0.3' }, seed: { type: 'string', default: '1' } } });
const JOBS = Number(values.jobs);
const CLIENTS = Number(values.clients);
const CANCEL = Number(values.cancel);
let rng = Number(values.seed) >>> 0 || 1;
const rand = () => ((rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0) / 4294967296);

const PACKS = fileURLToPath(new URL('../main/engine/runtime/fixtures', import.meta.url));
const t = tempEngine({ packDirs: [PACKS] });
const server = await startServer({ engine: t.engine, port: 0 });
const url = `ws://127.0.0.1:${server.port}/ws`;
const spec = (seed: number) => ({ prompt: 'a large red circle', width: 64, height: 64, seed, steps: 2, packId: 'fixture-tiny', device: 'cpu' as const });
const FINAL = new Set(['done', 'failed', 'cancelled']);

async function runJobs(clients: WsTestClient[], n: number, cancelP: number): Promise<Record<string, number>> {
  const outcome: Record<string, number> = {};
  const ends = new Map<string, (state: string) => void>();
  for (const c of clients) {
    // every client sees every job event; the first final one for a job settles it
    const seen = c.events;
    const timer = setInterval(() => {
      for (const e of seen.splice(0)) {
        const p = e.payload as { jobId: string; state: string };
        if (e.event === 'job.event' && FINAL.has(p.state)) ends.get(p.jobId)?.(p.state);
      }
    }, 20);
    timer.unref();
  }
  const docs = await Promise.all(clients.map((c) => c.call('document.new', { width: 64, height: 64 }) as Promise<{ docId: string }>));
  const all: Promise<string>[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % clients.length;
    const { jobId } = (await clients[k].call('jobs.start', { task: 'generate', docId: docs[k].docId, spec: spec(i) })) as { jobId: string };
    all.push(new Promise<string>((resolve) => ends.set(jobId, resolve)));
    if (rand() < cancelP) {
      const delay = rand() * 400;
      setTimeout(() => void clients[(k + 1) % clients.length].call('jobs.cancel', { jobId }).catch(() => undefined), delay);
    }
  }
  const timeout = new Promise<string[]>((_, reject) => setTimeout(() => reject(new Error('jobs did not all end within 30 minutes')), 30 * 60_000).unref());
  for (const s of await Promise.race([Promise.all(all), timeout])) outcome[s] = (outcome[s] ?? 0) + 1;
  for (const c of clients) await c.call('document.close', { docId: docs[clients.indexOf(c)].docId });
  return outcome;
}

const rss = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  const s = await t.engine.jobs.stats();
  return { engine: process.memoryUsage.rss(), jobs: s.rssBytes, s };
};
const mb = (b: number) => (b / 2 ** 20).toFixed(0);
const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connectWs(url)));
const start = Date.now();
await runJobs(clients, 20, 0); // warm-up: the job process, its sessions, the caches
const before = await rss();
const outcome = await runJobs(clients, JOBS, CANCEL);
await new Promise((r) => setTimeout(r, 2000));
const after = await rss();
const list = (await clients[0].call('jobs.list', {})) as { state: string }[];
const notFinal = list.filter((j) => !FINAL.has(j.state)).length;
const growth = { engine: after.engine / before.engine - 1, jobs: after.jobs / before.jobs - 1 };
console.log(`load: ${JOBS} jobs from ${CLIENTS} WebSocket clients, ${(CANCEL * 100).toFixed(0)} % asked to cancel, in ${((Date.now() - start) / 1000).toFixed(0)} s: ${JSON.stringify(outcome)}`);
console.log(`jobs.list: ${list.length} jobs, ${notFinal} not ended; sessions open ${after.s.sessionsOpen}, in use ${after.s.sessionsInUse}, jobs running ${after.s.running}`);
console.log(`RSS engine ${mb(before.engine)} -> ${mb(after.engine)} MB (${(growth.engine * 100).toFixed(1)} %), job process ${mb(before.jobs)} -> ${mb(after.jobs)} MB (${(growth.jobs * 100).toFixed(1)} %)`);
for (const c of clients) c.close();
await server.close();
await t.dispose();
const ended = Object.values(outcome).reduce((a, b) => a + b, 0) === JOBS && notFinal === 0;
const ok = ended && after.s.sessionsInUse === 0 && growth.engine <= 0.1 && growth.jobs <= 0.1;
console.log(ok ? 'load: ok' : 'load: FAILED');
process.exit(ok ? 0 : 1);

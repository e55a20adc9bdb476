// The fuzzer's worker thread: runs cases [from, to) of one target and posts one outcome per
// case. File writes are watched: any write outside the target's own scratch folder is a
// finding (an importer must never write), whatever the case did otherwise.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { fuzzTarget } from './fuzz-targets.ts';

export type CaseOutcome =
  | { index: number; kind: 'ok'; ms: number }
  | { index: number; kind: 'refused'; code: string; ms: number }
  | { index: number; kind: 'finding'; what: string; message: string; ms: number };

export interface WorkerJob { target: string; seed: number; from: number; to: number }

const writes: string[] = [];
function watchWrites(): void {
  const scratch = `${tmpdir()}/lamina-fuzz-pack-`;
  const note = (path: unknown) => {
    const p = String(path);
    if (!p.startsWith(scratch)) writes.push(p);
  };
  // which arguments are paths written to: the first, except copies (the destination) and renames (both)
  const targets = (name: string, args: unknown[]) => (/^(copyFile|cpSync)/.test(name) ? [args[1]] : /^rename/.test(name) ? [args[0], args[1]] : [args[0]]);
  const wrap = <T extends object>(obj: T, name: keyof T & string, isWrite: (args: unknown[]) => boolean = () => true) => {
    const orig = obj[name] as unknown as (...a: unknown[]) => unknown;
    (obj as Record<keyof T, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      if (isWrite(args)) targets(name, args).forEach(note);
      return orig.apply(this, args);
    };
  };
  const openWrites = (args: unknown[]): boolean => typeof args[1] === 'string' ? /[wa+]/.test(args[1]) : typeof args[1] === 'number' && (args[1] & 3) !== 0;
  for (const n of ['writeFileSync', 'writeFile', 'appendFileSync', 'appendFile', 'renameSync', 'rename', 'mkdirSync', 'mkdir', 'createWriteStream', 'copyFileSync', 'copyFile', 'cpSync', 'rmSync', 'rm', 'unlinkSync', 'unlink'] as const) wrap(fs, n);
  for (const n of ['writeFile', 'appendFile', 'rename', 'mkdir', 'copyFile', 'rm', 'unlink'] as const) wrap(fs.promises, n);
  wrap(fs, 'openSync', openWrites);
  wrap(fs, 'open', openWrites);
  wrap(fs.promises, 'open', openWrites);
  syncBuiltinESMExports();
}

export async function runCase(target: string, seed: number, index: number): Promise<CaseOutcome> {
  const t = fuzzTarget(target);
  const bytes = t.make(seed, index);
  const start = performance.now();
  const before = writes.length;
  let outcome: CaseOutcome;
  try {
    await t.run(bytes);
    outcome = { index, kind: 'ok', ms: 0 };
  } catch (err) {
    if (err instanceof LaminaError && !/[\r\n]/.test(err.message) && err.message.length <= 2000) outcome = { index, kind: 'refused', code: err.code, ms: 0 };
    else if (err instanceof LaminaError) outcome = { index, kind: 'finding', what: 'multi-line or over-long error', message: err.message.slice(0, 300).replace(/\s+/g, ' '), ms: 0 };
    else {
      const e = err as Error;
      const where = (e?.stack ?? '').split('\n').slice(1, 3).map((l) => l.trim()).join(' < ');
      outcome = { index, kind: 'finding', what: `uncaught ${e?.name ?? typeof err}`, message: `${String(e?.message ?? err).split('\n')[0].slice(0, 200)} @ ${where}`, ms: 0 };
    }
  }
  if (writes.length > before) outcome = { index, kind: 'finding', what: 'wrote a file', message: writes.slice(before).join(', '), ms: 0 };
  outcome.ms = performance.now() - start;
  return outcome;
}

if (parentPort && workerData?.fuzz) {
  watchWrites();
  const job = workerData.fuzz as WorkerJob;
  fuzzTarget(job.target).make(job.seed, job.from); // load the target (and its seeds) before the clock starts
  parentPort.postMessage({ ready: true });
  for (let i = job.from; i < job.to; i++) parentPort.postMessage(await runCase(job.target, job.seed, i));
}

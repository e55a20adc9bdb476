// Every PSD/PSB of the shared corpus either imports with its layers or is refused with a
// one-line LaminaError (unsupported / bad_file / too_large). Nothing may crash, hang (each
// file has a time limit) or write anything. Layer names are compared with ImageMagick's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { CorpusResult } from './psd-corpus-worker.ts';
import { PSD_CORPUS } from './test-documents.ts';

const CORPUS = PSD_CORPUS;
const PER_FILE_TIMEOUT_MS = 20_000;
const IDENTIFY = '/usr/bin/identify';
const IN_CI = process.env.CI === 'true';
/** Worker threads do not inherit tsx: register it there, then load the TypeScript worker. */
const WORKER_BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('./psd-corpus-worker.ts', import.meta.url).href,
)}); });`;

function corpusFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? corpusFiles(join(dir, e.name)) : /\.ps[db]$/i.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

/** Names, sizes and modification times of everything under `dir`. */
function snapshot(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: false })
    .map(String)
    .sort()
    .map((name) => {
      const s = statSync(join(dir, name));
      return `${name} ${s.size} ${s.mtimeMs}`;
    })
    .join('\n');
}

/** Runs the files through a worker; a file that takes too long is recorded as a hang. */
async function importAll(files: string[]): Promise<(CorpusResult | { file: string; status: 'hung'; ms: number })[]> {
  const results: (CorpusResult | { file: string; status: 'hung'; ms: number })[] = [];
  let rest = files;
  while (rest.length > 0) {
    const batch = rest;
    const done = await new Promise<number>((resolveBatch, reject) => {
      const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { files: batch } });
      let count = 0;
      let timer = setTimeout(onTimeout, PER_FILE_TIMEOUT_MS);
      function onTimeout() {
        results.push({ file: batch[count], status: 'hung', ms: PER_FILE_TIMEOUT_MS });
        void worker.terminate();
        resolveBatch(count + 1);
      }
      worker.on('message', (result: CorpusResult) => {
        results.push(result);
        count++;
        clearTimeout(timer);
        if (count === batch.length) {
          void worker.terminate();
          resolveBatch(count);
        } else timer = setTimeout(onTimeout, PER_FILE_TIMEOUT_MS);
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    rest = batch.slice(done);
  }
  return results;
}

/** ImageMagick 6 decodes legacy (non-Unicode) names, so non-ASCII names cannot be compared. */
const comparable = (a: string, b: string) => a === b || /[^\x20-\x7e]|\?/.test(a + b);

/** ImageMagick skips layers without pixels, so its list must be an ordered subsequence of ours. */
function isSubsequence(theirs: string[], ours: string[]): boolean {
  let i = 0;
  for (const name of ours) if (i < theirs.length && comparable(theirs[i], name)) i++;
  return i === theirs.length;
}

/**
 * Layer labels per file, from one identify run (frame 0 of each file is the composite).
 * Files ImageMagick cannot read are simply absent.
 */
async function identifyLabels(files: string[]): Promise<Map<string, string[]>> {
  const { stdout } = await promisify(execFile)(IDENTIFY, ['-format', '%d/%f\t%p\t%[label]\n', ...files], {
    maxBuffer: 16 << 20,
    timeout: 120_000,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const labels = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [file, scene, label] = line.split('\t');
    if (label === undefined) continue;
    if (!labels.has(file)) labels.set(file, []);
    if (scene !== '0') labels.get(file)!.push(label);
  }
  return labels;
}

type Outcome = Awaited<ReturnType<typeof importAll>>[number];
let corpusRun: Promise<{ results: Outcome[]; seconds: string }> | null = null;

/** The corpus is imported once and shared by the tests below. */
function runCorpus(files: string[]) {
  corpusRun ??= (async () => {
    const started = Date.now();
    const results = await importAll(files);
    return { results, seconds: ((Date.now() - started) / 1000).toFixed(1) };
  })();
  return corpusRun;
}

test('PSD corpus: every file imports or is refused cleanly', { timeout: 240_000 }, async (t) => {
  if (!existsSync(CORPUS)) {
    if (IN_CI) assert.fail(`PSD corpus missing at ${CORPUS}`);
    t.skip(`PSD corpus not found at ${CORPUS}`);
    return;
  }
  const files = corpusFiles(CORPUS);
  const before = snapshot(CORPUS);
  const { results, seconds } = await runCorpus(files);

  const refusedBy = new Map<string, number>();
  for (const r of results) if (r.status === 'refused') refusedBy.set(r.code, (refusedBy.get(r.code) ?? 0) + 1);
  const imported = results.filter((r) => r.status === 'imported');
  const reasons = [...refusedBy].map(([code, n]) => `${code} ${n}`).join(', ');
  t.diagnostic(`PSD corpus: ${files.length} files in ${seconds} s: imported ${imported.length}, refused ${results.length - imported.length} (${reasons})`);
  for (const r of results) if (r.status === 'refused') t.diagnostic(`refused ${relative(CORPUS, r.file)}: [${r.code}] ${r.message.replace(CORPUS + '/', '')}`);

  assert.equal(results.length, files.length);
  const bad = results.filter((r) => r.status === 'crashed' || r.status === 'hung');
  assert.deepEqual(bad.map((r) => `${relative(CORPUS, r.file)}: ${r.status}${'message' in r ? ` ${r.message}` : ''}`), []);
  for (const r of results) {
    if (r.status !== 'refused') continue;
    assert.ok(['unsupported', 'bad_file', 'too_large'].includes(r.code), `${r.file}: ${r.code}`);
    assert.ok(!r.message.includes('\n'), `${r.file}: one-line message`);
  }
  assert.ok(imported.length >= files.length * 0.8, 'most of the corpus imports');
  assert.equal(snapshot(CORPUS), before, 'importing writes nothing');
});

test('PSD corpus: layer names and order agree with ImageMagick', { timeout: 240_000 }, async (t) => {
  if (!existsSync(IDENTIFY)) {
    if (IN_CI) assert.fail(`${IDENTIFY} is missing (install imagemagick)`);
    t.skip(`${IDENTIFY} not installed; install imagemagick to compare layer names`);
    return;
  }
  if (!existsSync(CORPUS)) {
    t.skip(`PSD corpus not found at ${CORPUS}`);
    return;
  }
  const { results: all } = await runCorpus(corpusFiles(CORPUS));
  const results = all.filter((r): r is Extract<CorpusResult, { status: 'imported' }> => r.status === 'imported');
  const labels = await identifyLabels(results.map((r) => r.file));
  let compared = 0;
  let imSawNoLayers = 0;
  const mismatches: string[] = [];
  for (const r of results) {
    const theirs = labels.get(r.file);
    if (!theirs || theirs.length === 0) {
      imSawNoLayers++;
      continue;
    }
    compared++;
    if (!isSubsequence(theirs, r.leafNames) || theirs.length > r.leafNames.length) {
      mismatches.push(`${relative(CORPUS, r.file)}: ImageMagick ${JSON.stringify(theirs)} vs Lamina ${JSON.stringify(r.leafNames)}`);
    }
  }
  t.diagnostic(`compared ${compared} files with ImageMagick; ${imSawNoLayers} files where ImageMagick reads no layers (16/32-bit, fill-only or flat files)`);
  assert.deepEqual(mismatches, []);
  assert.ok(compared >= results.length / 2, 'ImageMagick compared at least half the imported files');
});

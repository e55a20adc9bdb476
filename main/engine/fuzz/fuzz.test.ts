// The fuzzer's small run inside npm test (npm run fuzz does >= 10,000 cases per target),
// the runner's own honesty (a hang, a crash and a write are caught), every finding's
// regression case, and declared 100,000 x 100,000 images refused before allocating.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { readDocumentFile } from '../document/document-files.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { encodePng } from '../imaging/image-codec.ts';
import { patternImage } from '../document/test-documents.ts';
import { CORPUS_DIR, FUZZ_TARGETS } from './fuzz-targets.ts';
import { CASE_TIMEOUT_MS, fuzzTargetCases } from './fuzz-runner.ts';
import { runCase } from './fuzz-worker.ts';
import { jpegWithSize, pngWithSize, psdWithSize, webpLosslessWithSize } from './mutate.ts';
import { readFileSync } from 'node:fs';

const CASES_IN_NPM_TEST = 40;
const seed = (name: string) => new Uint8Array(readFileSync(join(CORPUS_DIR, name)));
const open = (bytes: Uint8Array, name: string) => readDocumentFile({ bytes, name }, new ImageStore());
const ORA_MIME = new TextEncoder().encode('image/openraster');

/** Refused with a one-line LaminaError of `code` (and matching `pattern`). */
async function refused(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LaminaError, `a LaminaError, not ${(err as Error)?.name}: ${(err as Error)?.message}`);
    assert.equal(err.code, code, err.message);
    assert.doesNotMatch(err.message, /[\r\n]/);
    assert.ok(err.message.length <= 1000, `one line, not ${err.message.length} characters`);
    if (pattern) assert.match(err.message, pattern);
    return err.message;
  }
  assert.fail('it opened');
}

test(`fuzz: ${CASES_IN_NPM_TEST} seeded cases per target, each a result or a one-line LaminaError within 5 s`, async () => {
  // in this process, for speed (each worker's start costs seconds); the worker runner, with
  // its hang, crash and write detection, is tested below and drives npm run fuzz
  let total = 0;
  for (const t of FUZZ_TARGETS) {
    for (let i = 0; i < CASES_IN_NPM_TEST; i++) {
      const o = await runCase(t.name, 20261202, i);
      assert.notEqual(o.kind, 'finding', `${t.name} case ${i}: ${o.kind === 'finding' ? `${o.what}: ${o.message}` : ''}`);
      assert.ok(o.ms < CASE_TIMEOUT_MS, `${t.name} case ${i}: ${o.ms.toFixed(0)} ms`);
      total++;
    }
  }
  assert.ok(total >= 360, `${total} cases`);
});

test('fuzz runner: a hang (sync infinite loop), an uncaught TypeError and a file write are each a finding; the run goes on', async () => {
  const hang = await fuzzTargetCases('selftest-hang', 1, 3, { timeoutMs: 500 });
  assert.deepEqual(hang.findings.map((f) => [f.index, f.what]), [[1, 'hang']]);
  assert.equal(hang.cases, 3, 'case 2 still ran after the hung worker was replaced');
  const crash = await fuzzTargetCases('selftest-crash', 1, 4);
  assert.deepEqual(crash.findings.map((f) => [f.index, f.what]), [[2, 'uncaught TypeError']]);
  const write = await fuzzTargetCases('selftest-write', 1, 2);
  rmSync(join(tmpdir(), `lamina-fuzz-selftest-${process.pid}.txt`), { force: true });
  assert.deepEqual(write.findings.map((f) => [f.index, f.what]), [[0, 'wrote a file']]);
});

// ---- regressions: one case per finding of `npm run fuzz` (seed 1)

test('regression (psd case 3): a PSD declaring a 0 px side is bad_file, not an uncaught ZodError', async () => {
  await refused(open(psdWithSize(seed('lamina.psd'), 40, 0), 'z.psd'), 'bad_file', /needs at least 1x1/);
});

test('regression (ora case 59): an entry name with control characters makes a one-line, escaped message', async () => {
  const name = `evil\n${'\u0001'.repeat(3)}${'n'.repeat(300)}/../x.png`;
  const zip = zipSync({ mimetype: [ORA_MIME, { level: 0 }], [name]: new Uint8Array(4) });
  const message = await refused(open(zip, 'x.ora'), 'bad_file', /unsafe entry name "evil\\u000a\\u0001/);
  assert.ok(message.length < 300);
});

/** A plain ORA (stack.xml only) with the given stack and one 8x8 PNG at data/a.png. */
async function plainOra(stackXml: string): Promise<Uint8Array> {
  const png = await encodePng(patternImage(8, 8, 1));
  return zipSync({ mimetype: [ORA_MIME, { level: 0 }], 'stack.xml': new TextEncoder().encode(stackXml), 'data/a.png': png });
}

test('regression (stack.xml case 21): a 5000-character attribute is quoted short in the message', async () => {
  const message = await refused(open(await plainOra(`<image w="40" h="${'x'.repeat(5000)}"><stack/></image>`), 'x.ora'), 'bad_file', /no valid canvas height \("x{80}…"\)/);
  assert.ok(message.length < 300);
});

test('regression (stack.xml cases 6, 89): layers naming one PNG decode it once; past 5000 layers the file is too_large', async () => {
  const layers = (n: number) => `<image w="8" h="8"><stack>${'<layer src="data/a.png"/>'.repeat(n)}</stack></image>`;
  const start = performance.now();
  const doc = await open(await plainOra(layers(4000)), 'many.ora');
  const ms = performance.now() - start;
  assert.equal(doc.layers.length, 4000);
  assert.ok(ms < 2500, `4000 layers of one PNG took ${ms.toFixed(0)} ms (decoded once each, it was ~2.5 s)`);
  await refused(open(await plainOra(layers(5001)), 'more.ora'), 'too_large', /more than 5000 layers/);
});

// ---- declared 100,000 x 100,000: refused from the header, before any pixel buffer exists

test('a declared 100,000 x 100,000 image is refused (too_large) before allocating, in every format', async () => {
  const cases: [string, Uint8Array, string, string][] = [
    ['png', pngWithSize(seed('lamina.png'), 100_000, 100_000), 'big.png', 'too_large'],
    ['jpeg (its format caps at 65,535)', jpegWithSize(seed('pattern.jpg'), 65_500, 65_500), 'big.jpg', 'too_large'],
    // WebP cannot declare more than 16384 a side (14-bit fields): its largest, on 146 bytes,
    // is within the limits and fails to decode without the 1 GiB it declares being allocated
    ['webp (16383 x 16383, its format\'s most)', webpLosslessWithSize(seed('pattern-lossless.webp'), 16_383, 16_383), 'big.webp', 'bad_file'],
    ['psd', psdWithSize(seed('lamina.psd'), 100_000, 100_000), 'big.psd', 'too_large'],
    ['psb', psdWithSize(seed('corpus-0layers_tblocks.psb'), 100_000, 100_000), 'big.psb', 'too_large'],
    ['ora stack.xml', await plainOra('<image w="100000" h="100000"><stack><layer src="data/a.png"/></stack></image>'), 'big.ora', 'too_large'],
    ['ora layer png', zipSync({ mimetype: [ORA_MIME, { level: 0 }], 'stack.xml': new TextEncoder().encode('<image w="8" h="8"><stack><layer src="data/a.png"/></stack></image>'), 'data/a.png': pngWithSize(seed('lamina.png'), 100_000, 100_000) }), 'big2.ora', 'too_large'],
  ];
  for (const [what, bytes, name, code] of cases) {
    const before = process.memoryUsage.rss();
    const start = performance.now();
    await refused(open(bytes, name), code);
    const grew = (process.memoryUsage.rss() - before) / 2 ** 20;
    const ms = performance.now() - start;
    assert.ok(grew < 64, `${what}: RSS grew ${grew.toFixed(0)} MB (40 GB of pixels were declared)`);
    assert.ok(ms < 2000, `${what}: ${ms.toFixed(0)} ms`);
  }
  // document.json declaring it: the schema refuses the canvas before any image is read
  const docJson = JSON.parse(new TextDecoder().decode(seed('document.json')));
  docJson.document.width = 100_000;
  const { unzipSync } = await import('fflate');
  const entries = unzipSync(seed('lamina.ora'));
  entries['lamina/document.json'] = new TextEncoder().encode(JSON.stringify(docJson));
  await refused(open(zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: k === 'mimetype' ? 0 : 6 }]]))), 'd.ora'), 'too_large', /past 16384 px per side/);
});

const regression = (name: string) => new Uint8Array(readFileSync(join(CORPUS_DIR, '..', 'regressions', name)));

test('regression (psd case 447): a PSB whose RLE rows run far past its end is refused in milliseconds (it took 39 s)', async () => {
  const start = performance.now();
  await refused(open(regression('psd-seed1-447-overread.psb'), 'x.psb'), 'bad_file', /past the end/);
  assert.ok(performance.now() - start < 2000, `${(performance.now() - start).toFixed(0)} ms`);
});

test('regression (psd case 171): a 24 KB PSB declaring 16384 x 16384 is refused from its header (it allocated 1 GiB for 4 s)', async () => {
  const before = process.memoryUsage.rss();
  const start = performance.now();
  await refused(open(psdWithSize(seed('corpus-0layers_tblocks.psb'), 16_384, 16_384), 'x.psb'), 'too_large', /composite needs 1\.0 GiB/);
  assert.ok(performance.now() - start < 500);
  assert.ok(process.memoryUsage.rss() - before < 64 * 2 ** 20);
});

test('regression (ora case 2470): an empty PNG entry is bad_file, not sharp\'s uncaught "Input Bit Array is empty"', async () => {
  await refused(open(regression('ora-seed1-2470-empty-entry.ora'), 'x.ora'), 'bad_file', /is empty \(0 bytes\), not an image/);
});

test('regression (spec cases 3656, 4087, 6147, 8143): a spec whose bad bytes hold CR/LF gets a one-line JSON error', async () => {
  const { parseGenerationSpecJson } = await import('../../../common/contract/generation-spec-json.ts');
  const text = new TextDecoder().decode(regression('spec-seed1-4087.json'));
  assert.match(text, /\r/, 'the case has a CR in the excerpt JSON.parse quotes');
  await refused(Promise.resolve().then(() => parseGenerationSpecJson(text, 'spec.json')), 'bad_request', /spec\.json: Unexpected token .*\\u000d.* is not valid JSON/);
});

test('regression (manifest cases 2158, 4433, 5768, 7856, 8880): a manifest echoing 10,000 characters or CR/LF makes a one-line bad_pack', async () => {
  const { cpSync, mkdtempSync, readFileSync: read, writeFileSync } = await import('node:fs');
  const { verifyPack } = await import('../runtime/pack-registry.ts');
  const dir = join(mkdtempSync(join(tmpdir(), 'lamina-fuzz-reg-')), 'p');
  cpSync(join(CORPUS_DIR, '..', '..', 'runtime', 'fixtures', 'tiny-pack'), dir, { recursive: true });
  try {
    const m = JSON.parse(read(join(dir, 'manifest.json'), 'utf8'));
    m.format_version = 'x'.repeat(10_000);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const message = await refused(verifyPack(dir), 'bad_pack', /format version "x{40}…" is not one this Lamina reads/);
    assert.ok(message.length < 400);
    writeFileSync(join(dir, 'manifest.json'), '{"id": "p",\r\n "files": {\u0019\r}');
    await refused(verifyPack(dir), 'bad_pack', /cannot read manifest/);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

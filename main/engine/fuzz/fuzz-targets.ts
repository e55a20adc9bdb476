// What the fuzzer feeds, and how: each target has seeds from the committed corpus
// (./corpus), a mutation per case, and the importer or parser a user's file reaches.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGenerationSpecJson } from '../../../common/contract/generation-spec-json.ts';
import { parseInput } from '../../../common/contract/validate.ts';
import { readDocumentFile } from '../document/document-files.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { verifyPack } from '../runtime/pack-registry.ts';
import { mutateBytes, mutateJpeg, mutateJsonText, mutatePng, mutatePsd, mutateWebp, mutateXmlText, mutateZip, Rng } from './mutate.ts';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus', import.meta.url));
const FIXTURE_PACK = fileURLToPath(new URL('../runtime/fixtures/tiny-pack', import.meta.url));

export interface FuzzTarget {
  name: string;
  /** the case's input, a pure function of (seed, index) */
  make(seed: number, index: number): Uint8Array;
  /** resolves with a result or throws; the runner classifies what it threw */
  run(bytes: Uint8Array): Promise<unknown>;
}

const seedCache = new Map<string, Uint8Array>();
function seed(name: string): Uint8Array {
  let s = seedCache.get(name);
  if (!s) seedCache.set(name, (s = new Uint8Array(readFileSync(join(CORPUS_DIR, name)))));
  return s;
}
const seedsMatching = (re: RegExp) => readdirSync(CORPUS_DIR).filter((n) => re.test(n)).sort();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

const openBytes = (name: string) => (b: Uint8Array) => readDocumentFile({ bytes: b, name }, new ImageStore());

/** A plain ORA (no Lamina manifest: stack.xml decides) built from the seed ORA. */
function plainOra(stackXml: Uint8Array): Uint8Array {
  const rng = new Rng(0, 'plain', 0);
  return mutateZip(rng, seed('lamina.ora'), (name, data) => (name === 'lamina/document.json' ? null : name === 'stack.xml' ? stackXml : data));
}

let packDir: string | null = null;
function scratchPack(): string {
  if (!packDir) {
    packDir = join(mkdtempSync(join(tmpdir(), 'lamina-fuzz-pack-')), 'p');
    cpSync(FIXTURE_PACK, packDir, { recursive: true });
  }
  return packDir;
}

export const FUZZ_TARGETS: FuzzTarget[] = [
  {
    name: 'psd',
    make(s, i) {
      const rng = new Rng(s, 'psd', i);
      const seeds = seedsMatching(/\.ps[db]$/).map(seed);
      return mutatePsd(rng, rng.pick(seeds), seeds);
    },
    run: openBytes('fuzz.psd'),
  },
  {
    name: 'ora',
    make(s, i) {
      const rng = new Rng(s, 'ora', i);
      const ora = seed('lamina.ora');
      if (rng.chance(0.4)) return mutateBytes(rng, ora);
      return mutateZip(rng, ora, (name, data) => {
        if (rng.chance(0.05)) return null; // drop an entry
        if (!rng.chance(0.3)) return data;
        if (name.endsWith('.png')) return mutatePng(rng, data);
        if (name.endsWith('.xml') || name.endsWith('.json')) return bytes(name.endsWith('.xml') ? mutateXmlText(rng, text(data)) : mutateJsonText(rng, text(data)));
        return mutateBytes(rng, data);
      });
    },
    run: openBytes('fuzz.ora'),
  },
  { name: 'png', make: (s, i) => mutatePng(new Rng(s, 'png', i), seed('lamina.png')), run: openBytes('fuzz.png') },
  { name: 'jpeg', make: (s, i) => mutateJpeg(new Rng(s, 'jpeg', i), seed('pattern.jpg')), run: openBytes('fuzz.jpg') },
  {
    name: 'webp',
    make(s, i) {
      const rng = new Rng(s, 'webp', i);
      return mutateWebp(rng, seed(rng.pick(['pattern.webp', 'pattern-lossless.webp'])));
    },
    run: openBytes('fuzz.webp'),
  },
  {
    name: 'document.json',
    make: (s, i) => bytes(mutateJsonText(new Rng(s, 'document.json', i), text(seed('document.json')))),
    // a Lamina ORA whose lamina/document.json is the case
    run: (b) => openBytes('fuzz.ora')(mutateZip(new Rng(0, 'wrap', 0), seed('lamina.ora'), (name, data) => (name === 'lamina/document.json' ? b : data))),
  },
  {
    name: 'stack.xml',
    make: (s, i) => bytes(mutateXmlText(new Rng(s, 'stack.xml', i), text(seed('stack.xml')))),
    run: (b) => openBytes('fuzz.ora')(plainOra(b)),
  },
  {
    name: 'manifest',
    make: (s, i) => bytes(mutateJsonText(new Rng(s, 'manifest', i), text(seed('manifest.json')))),
    run: async (b) => {
      const dir = scratchPack();
      writeFileSync(join(dir, 'manifest.json'), b);
      return verifyPack(dir);
    },
  },
  {
    name: 'spec',
    make(s, i) {
      const rng = new Rng(s, 'spec', i);
      return bytes(mutateJsonText(rng, text(seed(rng.pick(['spec.json', 'spec-plain.json'])))));
    },
    // what `lamina generate --spec` and `jobs.start` do with it
    run: async (b) => parseInput('jobs.start', { task: 'generate', spec: parseGenerationSpecJson(text(b), 'spec.json') }),
  },
];

/** Targets that misbehave on purpose, so the tests can see the runner catch each kind. */
export const SELFTEST_TARGETS: FuzzTarget[] = [
  { name: 'selftest-hang', make: (_s, i) => new Uint8Array([i]), run: async (b) => { if (b[0] === 1) for (;;); } },
  { name: 'selftest-crash', make: (_s, i) => new Uint8Array([i]), run: async (b) => (b[0] === 2 ? (null as unknown as { x: number }).x : 0) },
  { name: 'selftest-write', make: (_s, i) => new Uint8Array([i]), run: async (b) => (b[0] === 0 ? writeFileSync(join(tmpdir(), `lamina-fuzz-selftest-${process.pid}.txt`), 'x') : 0) },
];

export function fuzzTarget(name: string): FuzzTarget {
  const t = [...FUZZ_TARGETS, ...SELFTEST_TARGETS].find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target "${name}" (have: ${FUZZ_TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}

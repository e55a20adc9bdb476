// What verifyPack checks inside a pack's graphs before ONNX Runtime ever sees them:
//  1. no native code: no file in the pack (listed or not) is a shared library, the manifest
//     names no custom-op library, and no node uses an operator domain that ORT does not
//     implement itself (such a graph only runs with a custom-op library);
//  2. external data stays in the pack: every external tensor's location is relative, does not
//     climb out (symlinks resolved), and is a file the manifest lists (so its sha256 is checked);
//  3. the graph is what the manifest says: the same input names (initializers excluded) and
//     outputs, each with the declared dtype, rank and fixed dims.
import { readdir, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { AnyPackManifest, TensorSpec } from '../../../common/models/pack-manifest.ts';
import { BUILTIN_DOMAINS, inspectOnnx, type OnnxSummary, type OnnxValueInfo } from './onnx-inspect.ts';

const NATIVE_LIBRARY = /\.(so(\.\d+)*|dll|dylib|node|bundle)$/i;
const CUSTOM_OP_KEYS = /custom_?op|ops_?library|register_?custom/i;

const summaryCache = new Map<string, OnnxSummary>();

/** Throws LaminaError('bad_pack') naming the file and the check. `sha` keys the parse cache. */
export async function checkPackGraphs(dir: string, manifest: AnyPackManifest, raw: unknown, shaOf: (rel: string) => string): Promise<void> {
  const manifestPath = join(dir, 'manifest.json');
  for (const path of await listFiles(dir)) {
    if (NATIVE_LIBRARY.test(path)) throw new LaminaError('bad_pack', `${path}: a native library in a model pack (custom-op libraries are not loaded)`);
  }
  const key = findKey(raw, CUSTOM_OP_KEYS);
  if (key) throw new LaminaError('bad_pack', `${manifestPath}: "${key}" asks for a custom-op library; Lamina loads no native code from packs`);
  const realDir = await realpath(dir);
  for (const [name, graph] of Object.entries(manifest.graphs)) {
    const path = join(dir, graph.file);
    const sha = shaOf(graph.file);
    let summary = summaryCache.get(sha);
    if (!summary) {
      summary = inspectOnnx(new Uint8Array(await readFile(path)), path);
      summaryCache.set(sha, summary);
    }
    for (const [domain, ops] of summary.domains) {
      if (BUILTIN_DOMAINS.has(domain) || summary.functionDomains.has(domain)) continue;
      throw new LaminaError('bad_pack', `${path}: graph "${name}" uses operator ${[...ops].join(', ')} from domain "${domain}", which needs a custom-op library; Lamina loads none`);
    }
    for (const location of summary.externalData) await checkExternal(dir, realDir, path, location, manifest);
    compareIo(path, name, 'input', graph.inputs, summary.inputs);
    compareIo(path, name, 'output', graph.outputs, summary.outputs);
  }
}

async function checkExternal(dir: string, realDir: string, path: string, location: string, manifest: AnyPackManifest): Promise<void> {
  const outside = () => new LaminaError('bad_pack', `${path}: external data "${location}" is outside the pack`);
  if (location.includes('\0') || isAbsolute(location) || /^[a-zA-Z]:/.test(location) || normalize(location).split(/[\\/]/).includes('..')) throw outside();
  const rel = normalize(location).split(sep).join('/');
  if (!(rel in manifest.files)) throw new LaminaError('bad_pack', `${path}: external data "${location}" is not listed in the manifest's files (so its checksum is unknown)`);
  const real = await realpath(join(dir, rel)).catch(() => null);
  if (!real) throw new LaminaError('bad_pack', `${path}: external data "${location}" is missing`);
  const r = relative(realDir, real);
  if (r === '' || r.startsWith('..') || isAbsolute(r)) throw outside();
}

function compareIo(path: string, graph: string, kind: 'input' | 'output', declared: TensorSpec[], actual: OnnxValueInfo[]): void {
  const problems: string[] = [];
  const byName = new Map(actual.map((a) => [a.name, a]));
  const declaredNames = new Set(declared.map((d) => d.name));
  for (const a of actual) if (!declaredNames.has(a.name)) problems.push(`the graph has ${kind} "${a.name}" (${describe(a)}) that the manifest does not declare`);
  for (const d of declared) {
    const a = byName.get(d.name);
    if (!a) {
      problems.push(`the manifest declares ${kind} "${d.name}" that the graph does not have`);
      continue;
    }
    if (a.dtype !== d.dtype) problems.push(`${kind} "${d.name}" is ${a.dtype} in the graph, ${d.dtype} in the manifest`);
    if (a.dims) {
      if (a.dims.length !== d.dims.length) problems.push(`${kind} "${d.name}" has rank ${a.dims.length} in the graph (${describe(a)}), ${d.dims.length} in the manifest [${d.dims.join(', ')}]`);
      else {
        a.dims.forEach((dim, i) => {
          const want = d.dims[i];
          if (typeof dim === 'number' && typeof want === 'number' && dim !== want) problems.push(`${kind} "${d.name}" dim ${i} is ${dim} in the graph, ${want} in the manifest`);
        });
      }
    }
  }
  if (problems.length) throw new LaminaError('bad_pack', `${path}: graph "${graph}" does not match the manifest: ${problems.join('; ')}`);
}

function describe(v: OnnxValueInfo): string {
  return `${v.dtype}[${(v.dims ?? []).map((d) => d ?? '?').join(', ')}]`;
}

async function listFiles(dir: string, depth = 0): Promise<string[]> {
  if (depth > 8) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, depth + 1)));
    else out.push(p);
  }
  return out;
}

function findKey(value: unknown, pattern: RegExp, depth = 0): string | null {
  if (depth > 16 || typeof value !== 'object' || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    if (pattern.test(k)) return k;
    const inner = findKey(v, pattern, depth + 1);
    if (inner) return inner;
  }
  return null;
}

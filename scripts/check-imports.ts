// The layering rule (DESIGN.md 1): common imports nothing platform-specific, the renderer
// never imports node or electron, the engine/server/CLI never import electron, and only
// main/app and main/preload may; onnxruntime-node is imported only by the ORT adapter,
// main/engine/runtime. Fails with one line per violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const NODE = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const IMPORT_RE = /(?:import|export)\s+(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Rule {
  dir: string;
  forbid: (spec: string, file: string) => string | null;
}

const isNode = (s: string) => NODE.has(s) || NODE.has(s.split('/')[0]);
const isOrt = (s: string) => s === 'onnxruntime-node' || s.startsWith('onnxruntime-node/');
const isElectron = (s: string) => s === 'electron' || s.startsWith('electron/');
const reaches = (file: string, spec: string, dir: string) => spec.startsWith('.') && join(file, '..', spec).startsWith(dir);

export const RULES: Rule[] = [
  { dir: 'common', forbid: (s, f) => (isNode(s) ? 'node built-in' : isElectron(s) ? 'electron' : /^(react|konva|react-konva|sharp|onnxruntime)/.test(s) ? `platform package ${s}` : reaches(f, s, 'main') || reaches(f, s, 'renderer') ? 'main/ or renderer/' : null) },
  { dir: 'renderer', forbid: (s, f) => (isNode(s) ? 'node built-in' : isElectron(s) ? 'electron' : /^(sharp|onnxruntime|ws$)/.test(s) ? `node package ${s}` : reaches(f, s, 'main') ? 'main/' : null) },
  { dir: 'main/engine', forbid: (s, f) => (isElectron(s) ? 'electron' : reaches(f, s, 'renderer') ? 'renderer/' : reaches(f, s, 'main/app') ? 'main/app' : isOrt(s) && !f.startsWith(join('main', 'engine', 'runtime')) ? 'onnxruntime-node (only main/engine/runtime may)' : null) },
  { dir: 'main/server', forbid: (s) => (isElectron(s) ? 'electron' : isOrt(s) ? 'onnxruntime-node (only main/engine/runtime may)' : null) },
  { dir: 'main/cli', forbid: (s) => (isElectron(s) ? 'electron' : isOrt(s) ? 'onnxruntime-node (only main/engine/runtime may)' : null) },
  { dir: 'main/app', forbid: (s) => (isOrt(s) ? 'onnxruntime-node (only main/engine/runtime may)' : null) },
];

function files(dir: string, out: string[] = []): string[] {
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names) {
    if (n === 'node_modules' || n === 'dist') continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|tsx|mts|mjs|js|cjs)$/.test(n) && !/\.test\.tsx?$/.test(n)) out.push(p);
  }
  return out;
}

export function violations(root: string): string[] {
  const out: string[] = [];
  for (const rule of RULES) {
    for (const file of files(join(root, rule.dir))) {
      const rel = relative(root, file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3];
        const why = rule.forbid(spec, rel);
        if (why) out.push(`${rel}: imports "${spec}" (${rule.dir}/ must not import ${why})`);
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const v = violations(process.cwd());
  for (const line of v) console.error(line);
  console.log(v.length ? `import rules: ${v.length} violation(s)` : 'import rules: ok');
  process.exit(v.length ? 1 : 0);
}

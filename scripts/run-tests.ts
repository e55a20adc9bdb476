// Finds *.test.ts files and runs them with node's test runner (Node 20 has no --test globs).
// `run-tests.ts` = unit + integration (everything but e2e/), `run-tests.ts e2e` = e2e/ only.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// folders never searched (the roots below leave out models/, the packs; common/models is searched)
const SKIP = new Set(['node_modules', '.git', 'dist', 'out', 'artifacts']);
function find(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

const e2e = process.argv[2] === 'e2e';
const filter = process.argv[3];
const roots = e2e ? ['e2e'] : ['common', 'main', 'renderer', 'scripts'];
let files = roots.flatMap((r) => { try { return find(r); } catch { return []; } });
if (filter) files = files.filter((f) => f.includes(filter));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);

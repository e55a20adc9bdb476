// Runs @doyensec/electronegativity over the Electron code (main/app, main/preload and the
// renderer's index.html, staged together so the CSP is seen) assuming the pinned Electron,
// and fails on any HIGH or MEDIUM finding. `--stage DIR` checks a prepared folder instead.
//   node --import tsx scripts/electron-check.ts [--stage DIR] [--json]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
export interface EnegFinding { issue: string; severity: string; confidence: string; file: string; location: string }

export function stageElectronSources(dir: string): void {
  cpSync(join(ROOT, 'main', 'app'), join(dir, 'app'), { recursive: true, filter: (src) => !src.includes(`${'/'}dist`) && !src.endsWith('.test.ts') });
  cpSync(join(ROOT, 'main', 'preload'), join(dir, 'preload'), { recursive: true });
  cpSync(join(ROOT, 'renderer', 'index.html'), join(dir, 'index.html'));
}

export function runElectronegativity(stage: string): EnegFinding[] {
  const electron = createRequire(import.meta.url)('../package.json').optionalDependencies.electron as string;
  const out = join(stage, '..', `eneg-${process.pid}.csv`);
  const bin = join(ROOT, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
  const r = spawnSync(process.execPath, [bin, '-i', stage, '-e', electron, '-r', '-v', 'false', '-o', out], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`electronegativity failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  rmSync(out, { force: true });
  return rows.map((line) => {
    const cells = [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].map((m) => m[2] ?? m[1]);
    return { issue: cells[0], severity: cells[1], confidence: cells[2], file: cells[3], location: cells[4] };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { stage: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const tmp = mkdtempSync(join(tmpdir(), 'lamina-eneg-'));
  const stage = values.stage ?? join(tmp, 'src');
  if (!values.stage) stageElectronSources(stage);
  const findings = runElectronegativity(stage);
  rmSync(tmp, { recursive: true, force: true });
  const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM');
  if (values.json) console.log(JSON.stringify(findings, null, 2));
  else for (const f of findings) console.log(`${f.severity.padEnd(6)} ${f.confidence.padEnd(9)} ${f.issue} ${f.file}:${f.location}`);
  console.log(`electronegativity: ${findings.length} findings, ${serious.length} high or medium`);
  process.exit(serious.length ? 1 : 0);
}

// `npm run bench`: each section runs in its own process (so peak RSS is its own) and
// prints one JSON object; this prints them together. Sections whose script is absent
// are reported as such. `npm run bench -- document` runs one section.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const SECTIONS: Record<string, string> = {
  document: 'scripts/bench-document.ts',
  runtime: 'main/cli/bench-entry.ts',
  canvas: 'e2e/bench-canvas.ts',
  landing: 'e2e/bench-landing.ts',
  placement: 'main/engine/pipelines/placement/bench-placement.ts',
  art: 'main/engine/pipelines/art/bench-art.ts',
  decompose: 'main/engine/pipelines/decompose/bench-decompose.ts',
  'text-edit': 'main/engine/pipelines/text-edit/bench-text-edit.ts',
};

const only = process.argv.slice(2);
const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.versions.node, date: new Date().toISOString() } };
let failed = false;
for (const [name, script] of Object.entries(SECTIONS)) {
  if (only.length && !only.includes(name)) continue;
  if (!existsSync(script)) {
    results[name] = { skipped: `${script} not present` };
    continue;
  }
  process.stderr.write(`bench: ${name}…\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.status !== 0 || !line) {
    failed = true;
    results[name] = { error: `exit ${r.status}` };
  } else results[name] = JSON.parse(line);
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
process.exit(failed ? 1 : 0);

// `npm run fuzz`: >= 10,000 seeded cases per importer and parser (PSD, ORA, PNG, JPEG, WebP,
// document.json, stack.xml, pack manifest, generation spec). Each case must end in a result
// or a one-line LaminaError within 5 s, write no file, and not kill its worker (heap limit
// 1 GiB). Prints one line per target and every finding with its reproduction numbers;
// `--json FILE` writes the reports. Exits 1 when anything was found.
//   npm run fuzz -- [--cases N] [--seed S] [--target NAME[,NAME]] [--json FILE]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FUZZ_TARGETS } from '../main/engine/fuzz/fuzz-targets.ts';
import { fuzzTargetCases, type TargetReport } from '../main/engine/fuzz/fuzz-runner.ts';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, target: { type: 'string' }, json: { type: 'string' } } });
const cases = Number(values.cases);
const seed = Number(values.seed);
const names = values.target ? values.target.split(',') : FUZZ_TARGETS.map((t) => t.name);
const reports: TargetReport[] = [];
for (const name of names) {
  const r = await fuzzTargetCases(name, seed, cases, { onProgress: (n) => { if (process.stderr.isTTY && n % 500 === 0) process.stderr.write(`\r${name}: ${n}/${cases}`); } });
  reports.push(r);
  const refused = Object.entries(r.refused).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${name.padEnd(14)} ${r.cases} cases in ${r.seconds.toFixed(0)} s: ${r.ok} opened, refused {${refused}}, findings ${r.findings.length}, slowest ${r.maxCaseMs.toFixed(0)} ms, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
  for (const f of r.findings.slice(0, 20)) console.log(`  finding ${f.what}: ${f.target} seed ${f.seed} case ${f.index}: ${f.message}`);
  if (r.findings.length > 20) console.log(`  (+${r.findings.length - 20} more findings)`);
  if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 2));
}
const total = reports.reduce((n, r) => n + r.cases, 0);
const findings = reports.reduce((n, r) => n + r.findings.length, 0);
console.log(`fuzz: ${total} cases over ${reports.length} targets, ${findings} findings (seed ${seed})`);
process.exit(findings ? 1 : 0);

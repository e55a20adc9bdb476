// `npm run crash-saves`: kill -9 the engine at random moments while it saves .ora, exports
// PSD and autosaves, N times each (default 100); after each kill the previous file must be
// intact and readable and recovery must offer the last autosave. Prints N/N per mode.
//   npm run crash-saves -- [--trials N] [--mode ora,psd,autosave] [--seed S]
import { parseArgs } from 'node:util';
import { crashTrial, type CrashMode } from '../main/engine/crash/crash-harness.ts';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '100' }, mode: { type: 'string', default: 'ora,psd,autosave' }, seed: { type: 'string', default: '1' } } });
const trials = Number(values.trials);
let failed = 0;
for (const mode of values.mode.split(',') as CrashMode[]) {
  let ok = 0;
  let midWrite = 0;
  let exact = 0;
  const start = Date.now();
  for (let i = 0; i < trials; i++) {
    const t = await crashTrial(mode, Number(values.seed) * 100_003 + i);
    if (t.ok) ok++;
    else console.log(`  ${mode} trial ${i}: ${t.problem}`);
    if (t.midWrite) midWrite++;
    if (t.found === t.acked) exact++;
  }
  failed += trials - ok;
  console.log(`${mode}: ${ok}/${trials} intact and readable (${exact} held the last acknowledged save, ${ok - exact} the one in flight; ${midWrite} kills left a temp file, i.e. landed mid-write) in ${((Date.now() - start) / 1000).toFixed(0)} s`);
}
process.exit(failed ? 1 : 0);

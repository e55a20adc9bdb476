// `npm run crash-saves`: kill -9 the engine at random moments while it saves .ora, exports
// PSD and autosaves, N times each (default 100; half the kills aimed at the write itself);
// after each kill the previous file must be intact and readable (its pixels and version
// marker checked), recovery must offer the last autosave, and the next start or save must
// clear the temp file a kill mid-write leaves. Prints N/N per mode.
//   npm run crash-saves -- [--trials N] [--mode ora,psd,autosave] [--seed S]
import { parseArgs } from 'node:util';
import { crashTrial, type CrashMode } from '../main/engine/crash/crash-harness.ts';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '100' }, mode: { type: 'string', default: 'ora,psd,autosave' }, seed: { type: 'string', default: '1' } } });
const trials = Number(values.trials);
const startAll = Date.now();
let failed = 0;
for (const mode of values.mode.split(',') as CrashMode[]) {
  let ok = 0;
  let midWrite = 0;
  let aimed = 0;
  let exact = 0;
  const start = Date.now();
  for (let i = 0; i < trials; i++) {
    const t = await crashTrial(mode, Number(values.seed) * 100_003 + i);
    if (t.ok) ok++;
    else console.log(`  ${mode} trial ${i}: ${t.problem}`);
    if (t.midWrite) midWrite++;
    if (t.aimed) aimed++;
    if (t.found === t.acked) exact++;
  }
  failed += trials - ok;
  console.log(`${mode}: ${ok}/${trials} intact and readable (${exact} held the last acknowledged save, ${ok - exact} the one in flight; ${aimed} kills aimed at the write, ${midWrite} left a temp file, i.e. landed mid-write, all cleared by the next ${mode === 'autosave' ? 'start' : 'save'}) in ${((Date.now() - start) / 1000).toFixed(0)} s`);
}
console.log(`crash-saves: ${failed ? `${failed} FAILED` : 'ok'} in ${((Date.now() - startAll) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);

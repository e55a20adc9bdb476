// The process the crash harness kills: an engine with one document of noisy layers (so a
// save takes tens of milliseconds) that saves forever in one mode and prints `ack N` after
// save N (the document's marker at version N, ./crash-document.ts) returned.
// Run: node --import tsx crash-save-child.ts <ora|psd|autosave> <dir>
import { join } from 'node:path';
import { Engine } from '../engine.ts';
import { markVersion, newCrashDocument } from './crash-document.ts';

const [mode, dir] = process.argv.slice(2);
const engine = new Engine({ packDirs: [], recoveryDir: join(dir, 'recovery'), autosaveMs: 0 });
const docId = await newCrashDocument(engine);
process.stdout.write(`doc ${docId}\n`);
for (let v = 1; ; v++) {
  await markVersion(engine, docId, v);
  if (mode === 'ora') await engine.call('document.save', { docId, path: join(dir, 'doc.ora'), overwrite: true });
  else if (mode === 'psd') await engine.call('export.run', { docId, format: 'psd', path: join(dir, 'doc.psd') });
  else await engine.autosaveNow();
  process.stdout.write(`ack ${v}\n`);
}

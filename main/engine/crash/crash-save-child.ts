// The process the crash harness kills: an engine with one document of noisy layers (so a
// save takes tens of milliseconds) that saves forever in one mode and prints `ack N` after
// each save N returned. Run: node --import tsx crash-save-child.ts <ora|psd|autosave> <dir>
import { join } from 'node:path';
import { Engine } from '../engine.ts';

const [mode, dir] = process.argv.slice(2);
const engine = new Engine({ packDirs: [], recoveryDir: join(dir, 'recovery'), autosaveMs: 0 });
const { docId } = await engine.call('document.new', { width: 768, height: 768, name: 'v0' });
let state = 12345;
for (let i = 0; i < 4; i++) {
  const rgba = new Uint8Array(384 * 384 * 4);
  for (let k = 0; k < rgba.length; k++) rgba[k] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  const { imageId } = await engine.call('document.putImage', { docId, image: { width: 384, height: 384, rgba } });
  const layer = { id: `l${i}`, name: `Noise ${i}`, kind: 'raster' as const, imageId, width: 384, height: 384, x: i * 96, y: i * 96, visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };
  await engine.call('document.mutate', { docId, ops: [{ op: 'add', layer, parentId: null, index: 0 }] });
}
// a first Save As names the document after its file: save once before the versions begin
if (mode === 'ora') await engine.call('document.save', { docId, path: join(dir, 'doc.ora') });
process.stdout.write(`doc ${docId}\n`);
for (let v = 1; ; v++) {
  await engine.call('document.mutate', { docId, ops: [{ op: 'rename-document', name: `v${v}` }] });
  if (mode === 'ora') await engine.call('document.save', { docId, path: join(dir, 'doc.ora') });
  else if (mode === 'psd') await engine.call('export.run', { docId, format: 'psd', path: join(dir, 'doc.psd') });
  else await engine.autosaveNow();
  process.stdout.write(`ack ${v}\n`);
}

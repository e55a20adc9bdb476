import { readDocumentFileDetailed } from './main/engine/document/document-files.ts';
import { ImageStore } from './main/engine/imaging/image-store.ts';
import { walkLayers } from './common/document/layer-tree.ts';
import { LaminaError } from './common/errors/lamina-error.ts';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs'; import path from 'node:path';
const root = '/work/shared/fixtures/psd-corpus';
const files: string[] = [];
const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (/\.ps[db]$/.test(e.name)) files.push(p); } };
walk(root); files.sort();
let same = 0, diff = 0;
for (const f of files) {
  const rel = path.relative(root, f);
  let names: string[];
  try {
    const { document } = await readDocumentFileDetailed({ path: f }, new ImageStore());
    names = [...walkLayers(document.layers)].filter(({ layer }) => layer.kind !== 'group').map(({ layer }) => layer.name).reverse();
  } catch (e) { console.log('REFUSED', rel, e instanceof LaminaError ? e.code : 'CRASH', (e as Error).message); continue; }
  let im: string[] = [];
  try { im = execFileSync('identify', ['-format', '%[label]\n', f], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().split('\n').slice(0, -1); } catch (e) { im = ['IMFAIL']; }
  const imLayers = im.length > 1 ? im.slice(1) : [];
  const eq = JSON.stringify(imLayers) === JSON.stringify(names);
  if (eq) same++; else { diff++; console.log('DIFF', rel, JSON.stringify(imLayers), JSON.stringify(names)); }
}
console.log('same', same, 'diff', diff);

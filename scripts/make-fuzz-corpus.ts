// Writes the fuzzer's seed corpus (main/engine/fuzz/corpus/), committed to the repo:
// Lamina's own ORA / PSD / PNG / JPEG / WebP outputs of the sample document, the ORA's
// document.json and stack.xml, the fixture pack's manifest, the README's generation spec,
// and a few small real PSD/PSB files from the shared psd-tools corpus (MIT, LICENSE copied).
// Run once: node --import tsx scripts/make-fuzz-corpus.ts
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readZip } from '../main/engine/document/zip-reader.ts';
import { writeOra } from '../main/engine/document/ora-writer.ts';
import { writePsdDocument } from '../main/engine/document/psd-writer.ts';
import { PSD_CORPUS, REPO_ROOT, patternImage, sampleDocument } from '../main/engine/document/test-documents.ts';
import { encodePng } from '../main/engine/imaging/image-codec.ts';
import { compositeDocument } from '../main/engine/imaging/composite.ts';

const OUT = join(REPO_ROOT, 'main', 'engine', 'fuzz', 'corpus');
mkdirSync(OUT, { recursive: true });
const { doc, store } = sampleDocument();
const ora = await writeOra(doc, store);
writeFileSync(join(OUT, 'lamina.ora'), ora);
const entries = readZip(ora, 'lamina.ora');
writeFileSync(join(OUT, 'document.json'), entries.get('lamina/document.json')!);
writeFileSync(join(OUT, 'stack.xml'), entries.get('stack.xml')!);
writeFileSync(join(OUT, 'lamina.psd'), writePsdDocument(doc, store));
const flat = compositeDocument(doc, store);
writeFileSync(join(OUT, 'lamina.png'), await encodePng(flat));
const img = patternImage(24, 16, 3);
const raw = () => sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 4 } });
writeFileSync(join(OUT, 'pattern.jpg'), await raw().jpeg({ quality: 80 }).toBuffer());
writeFileSync(join(OUT, 'pattern.webp'), await raw().webp({ quality: 80 }).toBuffer());
writeFileSync(join(OUT, 'pattern-lossless.webp'), await raw().webp({ lossless: true }).toBuffer());
copyFileSync(join(REPO_ROOT, 'main', 'engine', 'runtime', 'fixtures', 'tiny-pack', 'manifest.json'), join(OUT, 'manifest.json'));
const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const spec = /```json\n([\s\S]*?)\n```/.exec(readme)![1];
writeFileSync(join(OUT, 'spec.json'), JSON.stringify(JSON.parse(spec), null, 2));
writeFileSync(join(OUT, 'spec-plain.json'), JSON.stringify({ prompt: 'a red circle', width: 64, height: 64, seed: 1, steps: 2 }));
if (existsSync(PSD_CORPUS)) {
  for (const f of ['16bit5x5.psd', '32bit5x5.psd', '0layers_tblocks.psb', '2layer_8ele_tblocks.psd']) copyFileSync(join(PSD_CORPUS, f), join(OUT, `corpus-${f}`));
  copyFileSync(join(PSD_CORPUS, 'LICENSE'), join(OUT, 'LICENSE-psd-tools-corpus'));
}
console.log(`wrote ${OUT}`);

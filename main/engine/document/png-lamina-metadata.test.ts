import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ImageStore } from '../imaging/image-store.ts';
import { documentFileBytes, readDocumentFileDetailed } from './document-files.ts';
import { readPngMetadata, soleGeneratedLayer, withPngMetadata } from './png-lamina-metadata.ts';
import type { LaminaDocument } from '../../../common/document/document-schema.ts';

const provenance = { task: 'generate', packId: 'lamina-tiny', pipeline: 'text-to-image', prompt: 'a large red star', regions: [], seed: 7, steps: 3, params: {} };
const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, x: 0, y: 0 };

test('a flattened PNG of one generated layer carries its name and provenance, and opens with them; other PNGs open plain', async () => {
  const store = new ImageStore();
  const imageId = store.put({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(200) });
  const doc: LaminaDocument = { formatVersion: 1, name: 'd', width: 8, height: 8, layers: [{ ...base, id: 'L', name: 'Star', kind: 'raster', imageId, width: 8, height: 8, provenance }] };
  assert.equal(soleGeneratedLayer(doc)?.id, 'L');
  const png = await documentFileBytes(doc, store, 'png');
  assert.equal((await sharp(png).metadata()).width, 8, 'still a PNG other programs read');
  const opened = await readDocumentFileDetailed({ bytes: png, name: 'x.png' }, new ImageStore());
  assert.equal(opened.document.layers[0].name, 'Star');
  assert.deepEqual(opened.document.layers[0].provenance, provenance);
  assert.deepEqual(opened.warnings, []);

  // two layers showing, or a moved / faded one: the PNG is not that layer, so no record
  assert.equal(soleGeneratedLayer({ ...doc, layers: [...doc.layers, { ...doc.layers[0], id: 'M' }] }), null);
  assert.equal(soleGeneratedLayer({ ...doc, layers: [{ ...doc.layers[0], opacity: 0.5 }] as LaminaDocument['layers'] }), null);
  assert.equal(soleGeneratedLayer({ ...doc, layers: [{ ...doc.layers[0], provenance: null }] as LaminaDocument['layers'] }), null);
  const plain = await documentFileBytes({ ...doc, layers: [{ ...doc.layers[0], x: 1 }] as LaminaDocument['layers'] }, store, 'png');
  assert.deepEqual(readPngMetadata(plain), { layer: null });

  // a record that does not parse: a warning, the picture opens without provenance
  const broken = withPngMetadata(plain, { name: 'x', provenance: { ...provenance, seed: 'seven' } as unknown as typeof provenance });
  const r = await readDocumentFileDetailed({ bytes: broken, name: 'b.png' }, new ImageStore());
  assert.equal(r.document.layers[0].provenance, null);
  assert.match(r.warnings[0], /"b.png": its Lamina metadata does not read/);
});

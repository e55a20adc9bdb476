import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPsd } from 'ag-psd';
import type { Layer } from '../../../common/document/document-schema.ts';
import { walkLayers } from '../../../common/document/layer-tree.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { ensureAgPsdCanvas } from './ag-psd-canvas.ts';
import { readPsdDocument } from './psd-reader.ts';
import { writePsdDocument } from './psd-writer.ts';
import { isLamina, sampleDocument } from './test-documents.ts';

/** The layer tree with image ids blanked (a PSD carries pixels, not Lamina's image ids). */
function withoutImageIds(layers: readonly Layer[]): unknown[] {
  return layers.map((layer) => {
    if (layer.kind === 'group') return { ...layer, children: withoutImageIds(layer.children) };
    if (layer.kind === 'region' && layer.shape.type === 'mask') return { ...layer, shape: { ...layer.shape, maskImageId: '-' } };
    if (layer.kind === 'raster' || layer.kind === 'text') return { ...layer, imageId: '-' };
    return layer;
  });
}

test('PSD round trip: Lamina metadata restores the whole document, pixels are equal', () => {
  const { doc, store } = sampleDocument();
  const back = new ImageStore();
  const { document, warnings } = readPsdDocument(writePsdDocument(doc, store), back);
  assert.deepEqual(warnings, []);
  assert.deepEqual(withoutImageIds(document.layers), withoutImageIds(doc.layers));
  assert.equal(document.name, doc.name);
  const before = [...walkLayers(doc.layers)];
  const after = [...walkLayers(document.layers)];
  for (let i = 0; i < before.length; i++) {
    const a = before[i].layer;
    const b = after[i].layer;
    if (a.kind === 'raster' && b.kind === 'raster') assert.deepEqual(back.get(b.imageId), store.get(a.imageId), a.name);
  }
  assert.deepEqual(compositeDocument(document, back), compositeDocument(doc, store));
});

test('PSD as other programs see it: names, order, visibility, opacity, offsets, groups, blend', () => {
  const { doc, store } = sampleDocument();
  ensureAgPsdCanvas();
  const psd = readPsd(writePsdDocument(doc, store), { useImageData: true });
  const summary = (layers: typeof psd.children): unknown[] =>
    (layers ?? []).map((l) => [l.name, l.hidden ?? false, Math.round((l.opacity ?? 1) * 255), l.blendMode, l.left, l.top, ...(l.children ? [l.opened, summary(l.children)] : [])]);
  assert.deepEqual(summary(psd.children), [
    ['Background', false, 255, 'normal', 0, 0],
    ['Region "Sky": blue sky', true, 255, 'normal', 0, 0],
    ['Region "Ball region": red ball', true, 255, 'normal', 2, 3],
    ['Hidden layer', true, 255, 'normal', 30, 2],
    ['Screen group', false, 191, 'screen', 0, 0, false, [['Inside screen', false, 255, 'normal', 25, 18]]],
    ['Group', false, 255, 'pass through', 0, 0, true, [['Half', false, 128, 'normal', -2, 12], ['Multiply', false, 255, 'multiply', 3, 4]]],
    ['Title', false, 255, 'normal', 20, 1],
  ]);
  const title = psd.children!.at(-1)!;
  assert.equal(title.text?.text, 'Hello');
  assert.equal(title.text?.style?.font?.name, 'DejaVu Sans');
  assert.ok(psd.imageData, 'composite image present');
});

test('a PSD without Lamina metadata still imports structure and text', () => {
  const { doc, store } = sampleDocument();
  const bytes = writePsdDocument(doc, store);
  const xmpAt = Buffer.from(bytes).indexOf('lamina:document');
  bytes.fill(0x20, xmpAt, xmpAt + 15); // break the marker: the reader must fall back
  const { document } = readPsdDocument(bytes, new ImageStore());
  const names = [...walkLayers(document.layers)].map(({ layer, depth }) => `${depth}:${layer.kind}:${layer.name}`);
  assert.deepEqual(names, [
    '0:text:Title', '0:group:Group', '1:raster:Multiply', '1:raster:Half', '0:group:Screen group', '1:raster:Inside screen',
    '0:raster:Hidden layer', '0:raster:Region "Ball region": red ball', '0:raster:Region "Sky": blue sky', '0:raster:Background',
  ]);
  const title = document.layers[0];
  assert.ok(title.kind === 'text' && title.text === 'Hello' && title.fontSize === 6);
});

test('hostile PSD: truncated, empty, oversized header, bad signature', () => {
  const { doc, store } = sampleDocument();
  const bytes = writePsdDocument(doc, store);
  const target = new ImageStore();
  assert.throws(() => readPsdDocument(bytes.subarray(0, Math.floor(bytes.length / 2)), target), isLamina('bad_file', /truncated/));
  assert.throws(() => readPsdDocument(bytes.subarray(0, 10), target), isLamina('bad_file', /too short/));
  const huge = bytes.slice(0, 200);
  new DataView(huge.buffer).setUint32(14, 300_000); // height
  assert.throws(() => readPsdDocument(huge, target), isLamina('too_large', /300000/));
  const cmyk = bytes.slice(0, 200);
  new DataView(cmyk.buffer).setUint16(24, 4);
  assert.throws(() => readPsdDocument(cmyk, target), isLamina('unsupported', /CMYK/));
  assert.equal([...target.ids()].length, 0, 'nothing reaches the store');
});

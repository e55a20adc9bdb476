import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readPsd } from 'ag-psd';
import type { Layer } from '../../../common/document/document-schema.ts';
import { walkLayers } from '../../../common/document/layer-tree.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { ensureAgPsdCanvas } from './ag-psd-canvas.ts';
import { toRgba8 } from './psd-pixels.ts';
import { readPsdDocument } from './psd-reader.ts';
import { writePsdDocument } from './psd-writer.ts';
import { isLamina, PSD_CORPUS, sampleDocument } from './test-documents.ts';

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
  assert.equal(title.text?.style?.font?.name, 'DejaVuSans-Bold');
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

test('blend modes agree with Photoshop: Lamina composites the corpus blend-mode files like Photoshop did', async (t) => {
  const dir = join(PSD_CORPUS, 'blend-modes');
  if (!existsSync(dir)) return void t.skip(`PSD corpus not found at ${dir}`);
  const modes = ['color-burn', 'color-dodge', 'darken', 'difference', 'exclusion', 'linear-dodge', 'luminosity', 'overlay', 'saturation', 'screen', 'soft-light'];
  ensureAgPsdCanvas();
  for (const mode of modes) {
    const bytes = await readFile(join(dir, `${mode}.psd`));
    const store = new ImageStore();
    const { document } = readPsdDocument(bytes, store);
    const photoshop = toRgba8(readPsd(bytes, { useImageData: true, skipLayerImageData: true, skipThumbnail: true }).imageData!);
    const ours = compositeDocument(document, store);
    // Photoshop's composite of a file without transparency is flattened on white.
    const onWhite = (d: Uint8Array, i: number) => (d[i] * d[(i & ~3) + 3]) / 255 + 255 - d[(i & ~3) + 3];
    let sum = 0;
    for (let i = 0; i < ours.data.length; i++) if ((i & 3) !== 3) sum += Math.abs(onWhite(ours.data, i) - onWhite(photoshop.data, i));
    assert.ok(sum / ours.data.length < 1, `${mode}: mean abs diff ${(sum / ours.data.length).toFixed(2)} vs Photoshop's composite`);
  }
});

test('corpus spot checks: hidden groups, opacity, offsets, text, 16/32-bit conversion', async (t) => {
  if (!existsSync(PSD_CORPUS)) return void t.skip(`PSD corpus not found at ${PSD_CORPUS}`);
  const open = async (name: string) => {
    const store = new ImageStore();
    return { ...readPsdDocument(await readFile(join(PSD_CORPUS, name)), store), store };
  };
  const summary = (layers: readonly Layer[]) =>
    [...walkLayers(layers)].map(({ layer, depth }) => [depth, layer.kind, layer.name, layer.visible, Number(layer.opacity.toFixed(3)), layer.x, layer.y]);

  const hidden = await open('hidden-groups.psd');
  assert.deepEqual(summary(hidden.document.layers), [
    [0, 'group', 'Group 2', true, 1, 0, 0], [1, 'raster', 'Shape 2', true, 1, 40, 72],
    [0, 'group', 'Group 1', false, 1, 0, 0], [1, 'raster', 'Shape 1', true, 1, 25, 34],
    [0, 'raster', 'Background', true, 1, 0, 0],
  ]);
  const red = await open('background-red-opacity-80.psd');
  assert.deepEqual(summary(red.document.layers), [[0, 'raster', 'Layer 0', true, 1, 144, 0], [0, 'raster', 'Layer 1', true, 0.8, 0, 0]]);

  const text = (await open('text.psd')).document.layers[0];
  assert.ok(text.kind === 'text');
  assert.deepEqual([text.text, text.fontFamily, text.fontSize, text.x, text.y], ['Line 1\nLine 2\nLine 3 and text', 'ArialMT', 13, 84, 110]);

  // The same picture saved at 16 and 32 bit (linear) converts to the same 8-bit pixels.
  const [d16, d32] = await Promise.all([open('16bit5x5.psd'), open('32bit5x5.psd')]);
  const pixels = (r: typeof d16) => r.document.layers.map((l) => (l.kind === 'raster' ? [...r.store.get(l.imageId).data] : []));
  assert.deepEqual(pixels(d16), pixels(d32));
  assert.deepEqual(summary(d16.document.layers).map((row) => row.slice(2)), [['Background copy 2', true, 1, 4, 1], ['Background copy', true, 1, 0, 0], ['Background', true, 1, 0, 0]]);
});

// The Text tool's layers through the files: ORA keeps text, font, size, colour and
// alignment in Lamina's document data (and the rendered pixels in the stack); PSD carries
// an editable Photoshop text layer (ag-psd's layer.text) with the same pixels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPsd } from 'ag-psd';
import { unzipSync } from 'fflate';
import { LaminaDocument, type TextLayer } from '../../../common/document/document-schema.ts';
import { walkLayers } from '../../../common/document/layer-tree.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { createRgbaImage } from '../imaging/rgba-image.ts';
import { ensureAgPsdCanvas } from './ag-psd-canvas.ts';
import { readOra } from './ora-reader.ts';
import { LAMINA_ORA_MANIFEST, writeOra } from './ora-writer.ts';
import { toRgba8 } from './psd-pixels.ts';
import { readPsdDocument } from './psd-reader.ts';
import { writePsdDocument } from './psd-writer.ts';

/** A 64x40 document holding one centred, red, two-line text layer with rendered pixels. */
function textDocument() {
  const store = new ImageStore();
  const pixels = createRgbaImage(30, 20);
  for (let y = 4; y < 16; y++) for (let x = 3; x < 27; x++) pixels.data.set([200, 30, 40, 255], (y * 30 + x) * 4);
  const imageId = store.put(pixels, 'img-text');
  const layer: TextLayer = {
    id: 'text-1', name: 'Hello', kind: 'text', visible: true, opacity: 1, blendMode: 'normal', x: 7, y: 9, locked: false, provenance: null,
    text: 'Hello\nLamina', fontFamily: 'DejaVu Sans', fontSize: 24, color: [200, 30, 40, 255], align: 'center', imageId, width: 30, height: 20,
  };
  const doc = LaminaDocument.parse({ id: 'doc-text', name: 'Text', width: 64, height: 40, layers: [layer] });
  return { doc, store, layer };
}

function onlyText(doc: LaminaDocument): TextLayer {
  const texts = [...walkLayers(doc.layers)].map((w) => w.layer).filter((l) => l.kind === 'text');
  assert.equal(texts.length, 1);
  return texts[0] as TextLayer;
}

test('ORA round trip keeps a text layer: text, font, size, colour, alignment, place and pixels', async () => {
  const { doc, store, layer } = textDocument();
  const bytes = await writeOra(doc, store);
  const manifest = JSON.parse(new TextDecoder().decode(unzipSync(bytes)[LAMINA_ORA_MANIFEST]));
  const saved = manifest.document.layers[0];
  assert.equal(saved.text, 'Hello\nLamina');
  assert.equal(saved.align, 'center');

  const back = new ImageStore();
  const { document } = await readOra(bytes, back);
  const t = onlyText(document);
  assert.deepEqual(
    { text: t.text, fontFamily: t.fontFamily, fontSize: t.fontSize, color: t.color, align: t.align, x: t.x, y: t.y, width: t.width, height: t.height },
    { text: layer.text, fontFamily: 'DejaVu Sans', fontSize: 24, color: [200, 30, 40, 255], align: 'center', x: 7, y: 9, width: 30, height: 20 },
  );
  assert.ok(t.imageId);
  assert.deepEqual(back.get(t.imageId!).data, store.get(layer.imageId!).data);
});

test('PSD export: ag-psd reads an editable text layer with the text, style and pixels; Lamina reads it back', () => {
  const { doc, store, layer } = textDocument();
  const bytes = writePsdDocument(doc, store);
  ensureAgPsdCanvas();
  const psd = readPsd(bytes, { useImageData: true });
  const psdLayer = psd.children!.find((c) => c.name === 'Hello')!;
  assert.ok(psdLayer, 'the text layer is in the PSD');
  assert.equal(psdLayer.text?.text, 'Hello\nLamina');
  assert.equal(psdLayer.text?.style?.fontSize, 24);
  assert.equal(psdLayer.text?.style?.font?.name, 'DejaVuSans-Bold');
  const fill = psdLayer.text?.style?.fillColor as { r: number; g: number; b: number };
  assert.deepEqual([fill.r, fill.g, fill.b].map(Math.round), [200, 30, 40]);
  assert.equal(psdLayer.text?.paragraphStyle?.justification, 'center');
  assert.equal(psdLayer.left, 7);
  assert.equal(psdLayer.top, 9);
  const img = toRgba8(psdLayer.imageData!);
  assert.equal(img.width, 30);
  assert.equal(img.height, 20);
  assert.deepEqual([...img.data.subarray((10 * 30 + 10) * 4, (10 * 30 + 10) * 4 + 4)], [200, 30, 40, 255]);
  assert.deepEqual([...img.data.subarray(0, 4)].at(3), 0);

  const back = new ImageStore();
  const t = onlyText(readPsdDocument(bytes, back).document);
  assert.deepEqual(
    { text: t.text, fontFamily: t.fontFamily, fontSize: t.fontSize, color: t.color, align: t.align },
    { text: layer.text, fontFamily: 'DejaVu Sans', fontSize: 24, color: [200, 30, 40, 255], align: 'center' },
  );
  assert.deepEqual(back.get(t.imageId!).data, store.get(layer.imageId!).data);
});

test('a PSD text layer without Lamina metadata takes its alignment and family from the text engine data', () => {
  const { doc, store } = textDocument();
  const bytes = writePsdDocument({ ...doc, layers: [{ ...doc.layers[0], align: 'right' } as TextLayer] }, store);
  const psd = readPsd(bytes, { useImageData: true });
  assert.equal(psd.children![0].text?.paragraphStyle?.justification, 'right');
  // without the XMP Lamina writes, the reader goes by the text engine data alone
  const xmpAt = Buffer.from(bytes).indexOf('lamina:document');
  bytes.fill(0x20, xmpAt, xmpAt + 15);
  const t = onlyText(readPsdDocument(bytes, new ImageStore()).document);
  assert.deepEqual(
    { text: t.text, fontFamily: t.fontFamily, fontSize: t.fontSize, color: t.color, align: t.align },
    { text: 'Hello\nLamina', fontFamily: 'DejaVu Sans', fontSize: 24, color: [200, 30, 40, 255], align: 'right' },
  );
});

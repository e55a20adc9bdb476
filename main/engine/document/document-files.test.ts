import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { LaminaDocument } from '../../../common/document/document-schema.ts';
import { countLayers } from '../../../common/document/layer-tree.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { decodeImage } from '../imaging/image-codec.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { documentFileBytes, readDocumentFile, readDocumentFileDetailed, sniffFileKind, writeDocumentFile } from './document-files.ts';
import type { PngStackManifest } from './png-stack-writer.ts';
import { isLamina, manyLayerDocument, pngHeaderOnly, sampleDocument } from './test-documents.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('sniffing goes by magic bytes', () => {
  const b = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
  assert.equal(sniffFileKind(b('PK\x03\x04rest')), 'ora');
  assert.equal(sniffFileKind(b('8BPS\x00\x02')), 'psd');
  assert.equal(sniffFileKind(b('\x89PNG\r\n\x1a\nxxxx')), 'image');
  assert.equal(sniffFileKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), 'image');
  assert.equal(sniffFileKind(b('RIFF\x00\x00\x00\x00WEBPVP8 ')), 'image');
  assert.equal(sniffFileKind(b('GIF89a')), null);
});

test('every format writes, and ORA/PSD/PNG read back (by content, not by extension)', async () => {
  const { doc, store } = sampleDocument();
  for (const format of ['ora', 'psd', 'png'] as const) {
    const path = join(dir, `sample.${format}`);
    assert.deepEqual(await writeDocumentFile(doc, store, format, path), [path]);
    const misnamed = join(dir, `sample-${format}.bin`);
    await writeFile(misnamed, await readFile(path));
    const back = new ImageStore();
    const read = await readDocumentFile({ path: misnamed }, back);
    assert.equal(read.width, 40);
    if (format === 'png') {
      assert.equal(read.layers.length, 1);
      assert.equal(read.name, `sample-${format}`);
    } else {
      assert.equal(countLayers(read), countLayers(doc));
    }
    assert.deepEqual(compositeDocument(read, back), compositeDocument(doc, store), format);
  }
});

test('PNG stack: one PNG per painted leaf, composite.png and a manifest', async () => {
  const { doc, store } = sampleDocument();
  const target = join(dir, 'stack');
  const paths = await writeDocumentFile(doc, store, 'png-stack', target);
  const names = (await readdir(target)).sort();
  assert.deepEqual(names, ['001-Background.png', '002-Hidden_layer.png', '003-Inside_screen.png', '004-Half.png', '005-Multiply.png', '006-Title.png', 'composite.png', 'manifest.json']);
  assert.equal(paths.length, names.length);
  const manifest = JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8')) as PngStackManifest;
  const half = manifest.layers.find((l) => l.name === 'Half')!;
  assert.deepEqual([half.x, half.y, half.opacity, half.blendMode, half.visible, half.groupIds], [-2, 12, 0.5, 'normal', true, ['group']]);
  assert.equal(manifest.layers.find((l) => l.name === 'Hidden layer')!.visible, false);
  assert.deepEqual(manifest.groups.map((g) => [g.name, g.blendMode, g.opacity]), [['Screen group', 'screen', 0.75], ['Group', 'normal', 1]]);
  assert.deepEqual(manifest.skipped.map((s) => s.name), ['Sky', 'Ball region']);
  assert.deepEqual(await decodeImage(await readFile(join(target, 'composite.png'))), compositeDocument(doc, store));
});

test('a 200-layer document opens, saves and exports', async () => {
  const { doc, store } = manyLayerDocument(200);
  const started = Date.now();
  const ora = join(dir, 'many.ora');
  await writeDocumentFile(doc, store, 'ora', ora);
  const back = new ImageStore();
  const read = await readDocumentFile({ path: ora }, back);
  assert.deepEqual(read, doc);
  await writeDocumentFile(read, back, 'psd', join(dir, 'many.psd'));
  const psd = await readDocumentFile({ path: join(dir, 'many.psd') }, new ImageStore());
  assert.equal(countLayers(psd), 220);
  const stack = await writeDocumentFile(read, back, 'png-stack', join(dir, 'many-stack'));
  assert.equal(stack.length, 202);
  assert.ok(Date.now() - started < 20_000, 'fast enough');
});

test('single images open as one raster layer; hostile images are refused', async () => {
  const jpeg = await sharp({ create: { width: 5, height: 4, channels: 3, background: '#ff8000' } }).jpeg().toBuffer();
  const store = new ImageStore();
  const { document } = await readDocumentFileDetailed({ bytes: jpeg, name: 'photo.jpg' }, store);
  assert.deepEqual([document.name, document.width, document.height, document.layers[0].kind], ['photo', 5, 4, 'raster']);
  const empty = new ImageStore();
  await assert.rejects(readDocumentFile({ bytes: pngHeaderOnly(100_000, 100_000), name: 'huge.png' }, empty), isLamina('too_large'));
  await assert.rejects(readDocumentFile({ bytes: new Uint8Array(0), name: 'zero.ora' }, empty), isLamina('bad_file', /empty/));
  await assert.rejects(readDocumentFile({ bytes: new TextEncoder().encode('hello'), name: 'x.txt' }, empty), isLamina('unsupported'));
  await assert.rejects(readDocumentFile({ path: join(dir, 'missing.ora') }, empty), isLamina('not_found'));
  assert.equal([...empty.ids()].length, 0);
});

test('a failed save writes nothing and keeps the previous file', async () => {
  const { doc, store } = sampleDocument();
  const path = join(dir, 'keep.ora');
  await writeFile(path, 'previous');
  const broken = { ...doc, layers: [{ ...doc.layers[6], imageId: 'no-such-image' } as (typeof doc.layers)[number]] };
  await assert.rejects(writeDocumentFile(broken, store, 'ora', path), isLamina('not_found'));
  await assert.rejects(writeDocumentFile(broken, store, 'png-stack', join(dir, 'broken-stack')), isLamina('not_found'));
  assert.equal(await readFile(path, 'utf8'), 'previous');
  assert.ok(!(await readdir(dir)).some((n) => n.includes('broken-stack') || n.endsWith('.tmp')));
  await assert.rejects(writeDocumentFile(doc, store, 'psd', join(dir, 'no-dir', 'x.psd')), isLamina('io_error'));
  assert.ok((await documentFileBytes(doc, store, 'png')).length > 0);
});

test('edge documents round-trip exactly through ORA and PSD: no layers; a text layer without a cache', async () => {
  const store = new ImageStore();
  const docs = [[], [{ id: 't', name: 'T', kind: 'text', text: 'no cache yet', x: 3, y: 4 }]].map((layers) =>
    LaminaDocument.parse({ name: 'Edge', width: 10, height: 8, layers }),
  );
  for (const doc of docs) {
    for (const format of ['ora', 'psd'] as const) {
      const bytes = await documentFileBytes(doc, store, format);
      const { document } = await readDocumentFileDetailed({ bytes, name: `edge.${format}` }, new ImageStore());
      assert.deepEqual(document, doc, `${format} with ${doc.layers.length} layers`);
    }
  }
});

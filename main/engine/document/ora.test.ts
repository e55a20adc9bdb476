import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { referencedImageIds, walkLayers } from '../../../common/document/layer-tree.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { decodeImage } from '../imaging/image-codec.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { readOra } from './ora-reader.ts';
import { LAMINA_ORA_MANIFEST, writeOra } from './ora-writer.ts';
import { isLamina, pngHeaderOnly, sampleDocument } from './test-documents.ts';

const enc = (s: string) => new TextEncoder().encode(s);

test('ORA round trip: the document comes back deep-equal and every image pixel-equal', async () => {
  const { doc, store } = sampleDocument();
  const bytes = await writeOra(doc, store);
  const back = new ImageStore();
  const { document, warnings } = await readOra(bytes, back);
  assert.deepEqual(document, doc);
  assert.deepEqual(warnings, []);
  for (const id of referencedImageIds(doc.layers)) assert.deepEqual(back.get(id), store.get(id), `image ${id}`);
});

test('ORA layout: stored mimetype first, stack.xml, merged image, thumbnail', async () => {
  const { doc, store } = sampleDocument();
  const bytes = await writeOra(doc, store);
  const head = new TextDecoder().decode(bytes.subarray(30, 54));
  assert.equal(head, 'mimetypeimage/openraster');
  assert.equal(bytes[8] | (bytes[9] << 8), 0, 'mimetype is stored, not deflated');
  const files = unzipSync(bytes);
  const stack = new TextDecoder().decode(files['stack.xml']);
  assert.match(stack, /<image version="0\.0\.3" w="40" h="30">/);
  assert.match(stack, /<stack name="Screen group"[^>]*composite-op="svg:screen"[^>]*isolation="isolate"/);
  assert.match(stack, /<layer name="Multiply"[^>]*x="3" y="4"[^>]*composite-op="svg:multiply" src="data\/img-mul\.png"/);
  assert.match(stack, /<layer name="Hidden layer"[^>]*visibility="hidden"/);
  assert.doesNotMatch(stack, /Ball region|Sky/, 'region layers are not painted layers');
  const merged = await decodeImage(files['mergedimage.png']);
  assert.deepEqual(merged, compositeDocument(doc, store));
  const thumb = await decodeImage(files['Thumbnails/thumbnail.png']);
  assert.ok(thumb.width <= 256 && thumb.height <= 256);
});

test('an ORA without Lamina data (Krita, MyPaint) is rebuilt from stack.xml', async () => {
  const { doc, store } = sampleDocument();
  const files = unzipSync(await writeOra(doc, store));
  delete files[LAMINA_ORA_MANIFEST];
  const plain: Zippable = { mimetype: [files.mimetype, { level: 0 }] };
  for (const [name, data] of Object.entries(files)) if (name !== 'mimetype') plain[name] = data;
  const back = new ImageStore();
  const { document } = await readOra(zipSync(plain), back, { name: 'From Krita' });
  assert.equal(document.name, 'From Krita');
  const summary = [...walkLayers(document.layers)].map(({ layer, depth }) => [depth, layer.kind, layer.name, layer.visible, layer.opacity, layer.blendMode, layer.x, layer.y]);
  assert.deepEqual(summary, [
    [0, 'raster', 'Title', true, 1, 'normal', 20, 1],
    [0, 'group', 'Group', true, 1, 'normal', 0, 0],
    [1, 'raster', 'Multiply', true, 1, 'multiply', 3, 4],
    [1, 'raster', 'Half', true, 0.5, 'normal', -2, 12],
    [0, 'group', 'Screen group', true, 0.75, 'screen', 0, 0],
    [1, 'raster', 'Inside screen', true, 1, 'normal', 25, 18],
    [0, 'raster', 'Hidden layer', false, 1, 'normal', 30, 2],
    [0, 'raster', 'Background', true, 1, 'normal', 0, 0],
  ]);
  assert.deepEqual(compositeDocument(document, back), compositeDocument(doc, store));
});

// --- hostile input ---

function oraWith(entries: Record<string, Uint8Array>, mimetype = 'image/openraster'): Uint8Array {
  return zipSync({ mimetype: [enc(mimetype), { level: 0 }], ...entries });
}

const stackXml = (src: string) => enc(`<image w="4" h="4"><stack><layer name="a" src="${src}"/></stack></image>`);

/** Rewrites the inflated size an entry declares, in both its local and central headers. */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const nameBytes = enc(name);
  for (let i = 0; i + 46 < out.length; i++) {
    const sig = view.getUint32(i, true);
    const at = sig === 0x04034b50 ? 30 : sig === 0x02014b50 ? 46 : -1;
    if (at < 0 || view.getUint16(i + (at === 30 ? 26 : 28), true) !== nameBytes.length) continue;
    if (!nameBytes.every((b, k) => out[i + at + k] === b)) continue;
    view.setUint32(i + (at === 30 ? 22 : 24), size, true);
  }
  return out;
}

async function assertRefused(bytes: Uint8Array, code: string, pattern: RegExp, limits?: Parameters<typeof readOra>[2]) {
  const store = new ImageStore();
  await assert.rejects(readOra(bytes, store, limits), isLamina(code, pattern));
  assert.equal([...store.ids()].length, 0, 'nothing reaches the store');
}

test('hostile ORA: zip bombs (declared and real), lying sizes', async () => {
  const png = enc('x');
  await assertRefused(declareSize(oraWith({ 'stack.xml': stackXml('data/a.png'), 'data/a.png': png }), 'data/a.png', 0xfffffff0), 'too_large', /inflate to 4294967280 bytes/);
  const zeros = new Uint8Array(64 * 1024 * 1024);
  const bomb = oraWith({ 'stack.xml': stackXml('data/a.png'), 'data/a.png': zeros });
  assert.ok(bomb.length < 200_000, 'a real bomb: small on disk');
  await assertRefused(bomb, 'too_large', /zip bomb/, { zipLimits: { maxEntryBytes: 128 * 1024 ** 2, maxTotalBytes: 32 * 1024 ** 2, maxEntries: 100 } });
  const lying = declareSize(oraWith({ 'stack.xml': stackXml('data/a.png'), 'data/a.png': new Uint8Array(5000) }), 'data/a.png', 100);
  await assertRefused(lying, 'bad_file', /damaged/);
});

test('hostile ORA: unsafe names, wrong or missing mimetype, truncated, empty', async () => {
  await assertRefused(oraWith({ '../evil.png': enc('x') }), 'bad_file', /unsafe entry name "\.\.\/evil\.png"/);
  await assertRefused(oraWith({ '/etc/passwd': enc('x') }), 'bad_file', /unsafe entry name/);
  await assertRefused(oraWith({ 'stack.xml': stackXml('a.png') }, 'application/zip'), 'bad_file', /mimetype is "application\/zip"/);
  await assertRefused(zipSync({ 'stack.xml': stackXml('a.png') }), 'bad_file', /no "mimetype" entry/);
  const good = oraWith({ 'stack.xml': stackXml('a.png') });
  await assertRefused(good.subarray(0, good.length - 30), 'bad_file', /truncated/);
  await assertRefused(new Uint8Array(0), 'bad_file', /empty/);
});

test('hostile ORA: a PNG claiming 100000x100000 px, a canvas past the limit, broken XML', async () => {
  await assertRefused(oraWith({ 'stack.xml': stackXml('data/a.png'), 'data/a.png': pngHeaderOnly(100_000, 100_000) }), 'too_large', /100000x100000/);
  await assertRefused(oraWith({ 'stack.xml': enc('<image w="20000" h="4"><stack/></image>') }), 'too_large', /20000/);
  const bigLayers = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`data/${n}.png`, pngHeaderOnly(16_000, 16_000)]));
  await assertRefused(oraWith({ 'stack.xml': stackXml('data/1.png'), ...bigLayers }), 'too_large', /GiB of decoded pixels/);
  await assertRefused(oraWith({ 'stack.xml': enc('<image w="4" h="4"><stack>') }), 'bad_file', /stack\.xml is not valid XML/);
  await assertRefused(oraWith({ 'stack.xml': stackXml('data/missing.png') }), 'bad_file', /missing its entry "data\/missing\.png"/);
  await assertRefused(oraWith({ [LAMINA_ORA_MANIFEST]: enc('{"format":"lamina-ora","version":1,"document":{"width":-1}}') }), 'bad_file', /document\.json is invalid/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskResult, type ResultLayer } from '../../../common/contract/task-results.ts';
import { LaminaDocument, type Layer } from '../../../common/document/document-schema.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { DocumentSession } from './document-session.ts';
import { landingOps } from './land-result.ts';

const prov = { task: 'decompose', packId: 'p', pipeline: 'decompose', prompt: '', regions: [], seed: 1, steps: 2, params: { decompose: { foregrounds: 2 } } };
const layer = async (name: string, w = 4, h = 3): Promise<Omit<ResultLayer, 'provenance'> & { provenance: typeof prov }> => ({ name, width: w, height: h, x: 1, y: 2, rgba: new Uint8Array(w * h * 4).fill(200), provenance: prov });
const raster = (id: string): Layer => LaminaDocument.shape.layers.element.parse({ id, name: id, kind: 'raster', imageId: `img-${id}`, width: 4, height: 4 });
const group = (id: string, children: Layer[]): Layer => LaminaDocument.shape.layers.element.parse({ id, name: id, kind: 'group', children });

function session(): DocumentSession {
  const doc = LaminaDocument.parse({ width: 8, height: 8, layers: [raster('a'), group('g', [raster('b'), raster('c')])] });
  const store = new ImageStore();
  for (const id of ['a', 'b', 'c']) store.put({ width: 4, height: 4, data: new Uint8Array(64) }, `img-${id}`);
  return new DocumentSession('d', doc, store, null);
}

async function land(s: DocumentSession, raw: unknown) {
  const result = TaskResult.parse({ provider: 'cpu', ...(raw as object) });
  const ops = await landingOps(s.document, s.store, result);
  if (ops) s.apply(ops, 'record', 'Task');
  return ops;
}

const names = (layers: readonly Layer[]): unknown[] => layers.map((l) => (l.kind === 'group' ? { [l.name]: names(l.children) } : l.name));

test('add-layers: as a named group at a chosen place in the stack, one undo step', async () => {
  const s = session();
  await land(s, { landing: 'add-layers', layers: [await layer('front'), await layer('back')], group: { name: 'ART' }, at: { parentId: 'g', index: 1 } });
  assert.deepEqual(names(s.document.layers), ['a', { g: ['b', { ART: ['front', 'back'] }, 'c'] }]);
  const added = (s.document.layers[1] as Extract<Layer, { kind: 'group' }>).children[1] as Extract<Layer, { kind: 'group' }>;
  const first = added.children[0] as Extract<Layer, { kind: 'raster' }>;
  assert.deepEqual([first.x, first.y, first.width, first.height], [1, 2, 4, 3]);
  assert.equal(s.store.get(first.imageId).data[0], 200);
  assert.deepEqual(first.provenance, prov, 'provenance lands with every field, params included');
  s.undo();
  assert.deepEqual(names(s.document.layers), ['a', { g: ['b', 'c'] }], 'one undo removes the whole landing');
  // without a group or a place: in front, at the root
  await land(s, { landing: 'add-layers', layers: [await layer('x'), await layer('y')] });
  assert.deepEqual(names(s.document.layers), ['x', 'y', 'a', { g: ['b', 'c'] }]);
});

test('replace-layer: one layer becomes several at its place; update-pixels: new pixels in place; one undo step each', async () => {
  const s = session();
  await land(s, { landing: 'replace-layer', layerId: 'b', layers: [await layer('fg'), await layer('bg')] });
  assert.deepEqual(names(s.document.layers), ['a', { g: ['fg', 'bg', 'c'] }]);
  s.undo();
  assert.deepEqual(names(s.document.layers), ['a', { g: ['b', 'c'] }]);
  const { name: _n, ...image } = await layer('ignored', 6, 5);
  await land(s, { landing: 'update-pixels', layerId: 'c', image });
  const c = (s.document.layers[1] as Extract<Layer, { kind: 'group' }>).children[1] as Extract<Layer, { kind: 'raster' }>;
  assert.deepEqual([c.id, c.name, c.width, c.height, c.x, c.y], ['c', 'c', 6, 5, 1, 2]);
  assert.deepEqual(c.provenance, prov);
  s.undo();
  assert.equal(((s.document.layers[1] as Extract<Layer, { kind: 'group' }>).children[1] as Extract<Layer, { kind: 'raster' }>).imageId, 'img-c');
  // with a name (a text edit of a layer still named after its prompt): renamed in the same step
  await land(s, { landing: 'update-pixels', layerId: 'c', image, name: 'edited' });
  assert.deepEqual(names(s.document.layers), ['a', { g: ['b', 'edited'] }]);
  s.undo();
  assert.deepEqual(names(s.document.layers), ['a', { g: ['b', 'c'] }], 'one undo brings back the name and the pixels');
});

test('an artifact lands nothing; a result for a layer that is gone or of the wrong kind fails by name', async () => {
  const s = session();
  assert.equal(await land(s, { landing: 'artifact', artifact: { kind: 'heatmap', width: 2, height: 1, values: [0, 1] } }), null);
  assert.equal(s.snapshot().canUndo, false);
  await assert.rejects(land(s, { landing: 'replace-layer', layerId: 'gone', layers: [await layer('x')] }), /layer "gone", which is no longer in the document/);
  await assert.rejects(land(s, { landing: 'update-pixels', layerId: 'g', image: { ...(await layer('x')), name: undefined } }), /a raster layer; "g" is a group layer/);
});

test('landed layers get names no other layer has: the same prompt and seed twice is "x (2)"; a replacement may keep its name', async () => {
  const s = session();
  await land(s, { landing: 'add-layers', layers: [await layer('red circle · seed 7')] });
  await land(s, { landing: 'add-layers', layers: [await layer('red circle · seed 7')] });
  await land(s, { landing: 'add-layers', layers: [await layer('b'), await layer('b')] });
  assert.deepEqual(names(s.document.layers).slice(0, 4), ['b (2)', 'b (3)', 'red circle · seed 7 (2)', 'red circle · seed 7']);
  const id = s.document.layers[3].id;
  await land(s, { landing: 'replace-layer', layerId: id, layers: [await layer('red circle · seed 7')] });
  assert.equal(s.document.layers[3].name, 'red circle · seed 7');
  assert.notEqual(s.document.layers[3].id, id);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOps, DocumentOp } from './document-ops.ts';
import { LaminaDocument, type Layer } from './document-schema.ts';
import { History } from './history.ts';
import { findLayer } from './layer-tree.ts';

const raster = (id: string): Layer => LaminaDocument.shape.layers.element.parse({ id, name: id, kind: 'raster', imageId: `img-${id}`, width: 4, height: 4 });
const doc = (...layers: Layer[]) => LaminaDocument.parse({ width: 8, height: 8, layers });
const ids = (layers: readonly Layer[]) => layers.map((l) => l.id);
const ops = (...raw: unknown[]) => raw.map((r) => DocumentOp.parse(r));

test('schema fills layer defaults', () => {
  const l = raster('a');
  assert.equal(l.visible, true);
  assert.equal(l.opacity, 1);
  assert.equal(l.blendMode, 'normal');
  assert.equal(l.provenance, null);
});

test('add inserts at index, front first', () => {
  const d = applyOps(doc(raster('a')), ops({ op: 'add', layer: raster('b'), index: 0 }, { op: 'add', layer: raster('c'), index: 5 }));
  assert.deepEqual(ids(d.layers), ['b', 'a', 'c']);
});

test('move reorders and can enter a group; a group cannot enter itself', () => {
  let d = applyOps(doc(raster('a'), raster('b'), raster('c')), ops({ op: 'move', id: 'c', index: 0 }));
  assert.deepEqual(ids(d.layers), ['c', 'a', 'b']);
  d = applyOps(d, ops({ op: 'group', ids: ['a', 'b'], groupId: 'g', name: 'G' }));
  assert.deepEqual(ids(d.layers), ['c', 'g']);
  d = applyOps(d, ops({ op: 'move', id: 'c', parentId: 'g', index: 1 }));
  const g = findLayer(d.layers, 'g')!.layer;
  assert.equal(g.kind, 'group');
  assert.deepEqual(g.kind === 'group' && ids(g.children), ['a', 'c', 'b']);
  assert.throws(() => applyOps(d, ops({ op: 'move', id: 'g', parentId: 'g', index: 0 })), /into itself/);
});

test('update checks fields per kind and respects locks', () => {
  const d = applyOps(doc(raster('a')), ops({ op: 'update', id: 'a', patch: { opacity: 0.5, name: 'x' } }));
  assert.equal(d.layers[0].opacity, 0.5);
  assert.throws(() => applyOps(d, ops({ op: 'update', id: 'a', patch: { prompt: 'red star' } })), /raster layer has no field "prompt"/);
  const locked = applyOps(d, ops({ op: 'update', id: 'a', patch: { locked: true } }));
  assert.throws(() => applyOps(locked, ops({ op: 'update', id: 'a', patch: { x: 3 } })), /locked/);
  assert.equal(applyOps(locked, ops({ op: 'update', id: 'a', patch: { visible: false } })).layers[0].visible, false);
});

test('remove, ungroup, unknown ids', () => {
  let d = applyOps(doc(raster('a'), raster('b')), ops({ op: 'group', ids: ['b', 'a'], groupId: 'g', name: 'G' }));
  d = applyOps(d, ops({ op: 'ungroup', id: 'g' }));
  assert.deepEqual(ids(d.layers), ['a', 'b']);
  d = applyOps(d, ops({ op: 'remove', ids: ['a'] }));
  assert.deepEqual(ids(d.layers), ['b']);
  assert.throws(() => applyOps(d, ops({ op: 'remove', ids: ['zz'] })), /no layer with id "zz"/);
  assert.throws(() => applyOps(d, ops({ op: 'add', layer: raster('b') })), /already exists/);
});

test('ops never mutate the input document', () => {
  const d0 = doc(raster('a'), raster('b'));
  const frozen = JSON.stringify(d0);
  applyOps(d0, ops({ op: 'move', id: 'b', index: 0 }, { op: 'update', id: 'a', patch: { name: 'z' } }));
  assert.equal(JSON.stringify(d0), frozen);
});

test('history: record, merge, ignore, undo, redo', () => {
  const d0 = doc(raster('a'));
  const h = new History(d0);
  const d1 = applyOps(d0, ops({ op: 'update', id: 'a', patch: { x: 1 } }));
  h.commit(d1, 'merge', 'Move', 'drag-a');
  const d2 = applyOps(d1, ops({ op: 'update', id: 'a', patch: { x: 2 } }));
  h.commit(d2, 'merge', 'Move', 'drag-a');
  const d3 = applyOps(d2, ops({ op: 'update', id: 'a', patch: { name: 'preview' } }));
  h.commit(d3, 'ignore', 'preview');
  assert.equal(h.state, d3);
  assert.equal(h.undoLabel, 'Move');
  h.undo();
  assert.equal(h.state, d0, 'one undo step for the whole drag');
  assert.equal(h.canUndo, false);
  h.redo();
  assert.equal(h.state.layers[0].x, 2);
  h.undo();
  h.commit(d1, 'record', 'Other');
  assert.equal(h.canRedo, false, 'a new edit clears redo');
});

test('history limit keeps the newest steps', () => {
  const h = new History(doc(), 3);
  for (let i = 1; i <= 5; i++) h.commit(doc(raster(`l${i}`)), 'record', `s${i}`);
  let undos = 0;
  while (h.undo()) undos++;
  assert.equal(undos, 3);
  assert.deepEqual(ids(h.state.layers), ['l2']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveSpan, needsBackdrop, repaintSpan } from './compositor.ts';
import type { Layer } from '../../common/document/document-schema.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null, x: 0, y: 0 };
const r = (id: string, extra: Partial<Layer> = {}): Layer => ({ ...base, id, name: id, kind: 'raster', imageId: id, width: 1, height: 1, ...extra } as Layer);
const layers: Layer[] = [r('a'), r('b'), { ...base, id: 'g', name: 'g', kind: 'group', expanded: true, children: [r('c'), r('d')] }, r('e')];
const sigs = (ls: Layer[]) => ls.map((l) => JSON.stringify(l));

test('liveSpan finds the root entries holding the live ids', () => {
  assert.deepEqual(liveSpan(layers, new Set(['d'])), { lo: 2, hi: 2 });
  assert.deepEqual(liveSpan(layers, new Set(['a', 'e'])), { lo: 0, hi: 3 });
  assert.equal(liveSpan(layers, new Set(['zz'])), null);
});

test('repaintSpan: only what changed, plus the live span', () => {
  const before = sigs(layers);
  const after = sigs([layers[0], r('b', { opacity: 0.5 }), layers[2], layers[3]]);
  assert.deepEqual(repaintSpan(after, before, null, layers), { lo: 1, hi: 1 });
  assert.equal(repaintSpan(before, before, null, layers), null);
  assert.deepEqual(repaintSpan(before, before, { lo: 3, hi: 3 }, layers), { lo: 3, hi: 3 });
  assert.deepEqual(repaintSpan(before, null, null, layers), { lo: 0, hi: 3 });
  assert.deepEqual(repaintSpan(before, before.slice(1), null, layers), { lo: 0, hi: 3 });
});

test('a front layer that blends with its backdrop pulls the span to the front', () => {
  const ls = [r('a', { blendMode: 'multiply' }), r('b'), r('c')];
  const before = sigs(ls);
  const after = [...before];
  after[2] = 'changed';
  assert.deepEqual(repaintSpan(after, before, null, ls), { lo: 0, hi: 2 });
  assert.equal(needsBackdrop(r('x', { blendMode: 'screen' })), true);
  assert.equal(needsBackdrop(r('x', { blendMode: 'screen', visible: false })), false);
  assert.equal(needsBackdrop({ ...base, id: 'g', name: 'g', kind: 'group', expanded: true, opacity: 0.5, children: [] }), true);
  assert.equal(needsBackdrop(layers[2]), false);
});

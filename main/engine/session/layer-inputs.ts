// Document pixels for a task on a layer, gathered before its job starts (the worker has
// no documents): for place, the object layer's pixels and the composite of the visible
// layers below it (the background it is placed over); for decompose, the layer and the
// object's mask on its pixel grid.
import type { Layer, LaminaDocument } from '../../../common/document/document-schema.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { compositeLayers } from '../imaging/composite.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import { decodeMaskRuns, type MaskRuns } from '../../../common/contract/mask-runs.ts';
import type { JobInputs, RawImage, RawMask } from '../jobs/job-protocol.ts';

/** The layer tree below layer `id` (front-first): what is behind it, groups kept. */
export function layersBelow(layers: readonly Layer[], id: string): Layer[] | null {
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    if (layer.id === id) return layers.slice(i + 1);
    if (layer.kind === 'group') {
      const inner = layersBelow(layer.children, id);
      if (inner) return [{ ...layer, children: inner }, ...layers.slice(i + 1)];
    }
  }
  return null;
}

let cached: { key: string; image: RawImage } | null = null;

function backgroundKey(doc: LaminaDocument, below: readonly Layer[]): string {
  return JSON.stringify([doc.width, doc.height, below]);
}

/** The object layer (its own pixels, full frame) and the composite below it, doc-sized. */
export function placeInputs(doc: LaminaDocument, store: ImageStore, layerId: string): JobInputs {
  const loc = findLayer(doc.layers, layerId);
  if (!loc) throw new LaminaError('not_found', `no layer "${layerId}" in this document`);
  const layer = loc.layer;
  if ((layer.kind !== 'raster' && layer.kind !== 'text') || !layer.imageId) {
    throw new LaminaError('bad_request', `layer "${layer.name}" is a ${layer.kind} layer: placement works on a layer with pixels (raster)`);
  }
  const below = layersBelow(doc.layers, layerId) ?? [];
  const key = backgroundKey(doc, below);
  if (!cached || cached.key !== key) {
    const bg = compositeLayers(below, doc.width, doc.height, store);
    cached = { key, image: { width: bg.width, height: bg.height, data: new Uint8Array(bg.data) } };
  }
  const px = store.get(layer.imageId);
  // copies: the job message is cloned, and the store's buffers stay the engine's
  return { background: cached.image, object: { width: px.width, height: px.height, data: new Uint8Array(px.data) } };
}

/** The object's mask on a layer's pixel grid (1 = object) from a mask given in document
 * pixels at (mx, my): the part that falls on the layer. */
function maskOnLayer(data: Uint8Array, mx: number, my: number, mw: number, mh: number, layer: { x: number; y: number; width: number; height: number }): Uint8Array {
  const out = new Uint8Array(layer.width * layer.height);
  for (let y = 0; y < mh; y++) {
    const ly = my + y - layer.y;
    if (ly < 0 || ly >= layer.height) continue;
    for (let x = 0; x < mw; x++) {
      const lx = mx + x - layer.x;
      if (lx >= 0 && lx < layer.width && data[y * mw + x]) out[ly * layer.width + lx] = 1;
    }
  }
  return out;
}

/** What marks the object in a decompose spec (document pixels): a painted mask, or a region. */
export interface DecomposeMarks {
  mask?: MaskRuns;
  regionId?: string;
}

/** Decompose: the layer's own pixels (a raster layer), its offset and its name; and, when
 * the spec marks the object with a mask or a mask region, that mask on the layer's grid
 * (a box region travels as its box). */
export function decomposeInputs(doc: LaminaDocument, store: ImageStore, layerId: string, marks: DecomposeMarks = {}, task = 'decompose'): JobInputs {
  const loc = findLayer(doc.layers, layerId);
  if (!loc) throw new LaminaError('not_found', `no layer "${layerId}" in this document`);
  const layer = loc.layer;
  if (layer.kind !== 'raster') throw new LaminaError('bad_request', `layer "${layer.name}" is a ${layer.kind} layer: ${task} works on a picture (raster layer)`);
  const px = store.get(layer.imageId);
  const grid = { x: layer.x, y: layer.y, width: px.width, height: px.height };
  let objectMask: RawMask | undefined;
  if (marks.mask) {
    const m = marks.mask;
    objectMask = { width: px.width, height: px.height, data: maskOnLayer(decodeMaskRuns(m), m.x, m.y, m.width, m.height, grid) };
  } else if (marks.regionId) {
    const region = findLayer(doc.layers, marks.regionId)?.layer;
    if (!region || region.kind !== 'region') throw new LaminaError('not_found', `no region layer "${marks.regionId}" in this document`);
    const { width: rw, height: rh } = region.shape;
    let data: Uint8Array;
    if (region.shape.type === 'mask') {
      const m = store.get(region.shape.maskImageId);
      data = new Uint8Array(m.width * m.height);
      for (let p = 0; p < data.length; p++) data[p] = m.data[p * 4 + 3] > 0 ? 1 : 0;
      objectMask = { width: px.width, height: px.height, data: maskOnLayer(data, Math.round(region.x), Math.round(region.y), m.width, m.height, grid) };
    } else {
      const w = Math.ceil(rw), h = Math.ceil(rh);
      objectMask = { width: px.width, height: px.height, data: maskOnLayer(new Uint8Array(w * h).fill(1), Math.round(region.x), Math.round(region.y), w, h, grid) };
    }
  }
  return { layer: { image: { width: px.width, height: px.height, data: new Uint8Array(px.data) }, x: layer.x, y: layer.y, name: layer.name }, ...(objectMask ? { objectMask } : {}) };
}

/** Text edit: the layer's own pixels, offset and name (decompose's inputs) and how it was made. */
export function textEditInputs(doc: LaminaDocument, store: ImageStore, layerId: string): JobInputs {
  const inputs = decomposeInputs(doc, store, layerId, {}, 'text-edit');
  const layer = findLayer(doc.layers, layerId)!.layer;
  return { ...inputs, ...(layer.provenance ? { provenance: layer.provenance } : {}) };
}

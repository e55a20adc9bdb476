// Document pixels for a task on a layer, gathered before its job starts (the worker has
// no documents): for place, the object layer's pixels and the composite of the visible
// layers below it (the background it is placed over).
import type { Layer, LaminaDocument } from '../../../common/document/document-schema.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { compositeLayers } from '../imaging/composite.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import type { JobInputs, RawImage } from '../jobs/job-protocol.ts';

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

/** Decompose: the layer's own pixels (a raster layer), its offset and its name. */
export function decomposeInputs(doc: LaminaDocument, store: ImageStore, layerId: string): JobInputs {
  const loc = findLayer(doc.layers, layerId);
  if (!loc) throw new LaminaError('not_found', `no layer "${layerId}" in this document`);
  const layer = loc.layer;
  if (layer.kind !== 'raster') throw new LaminaError('bad_request', `layer "${layer.name}" is a ${layer.kind} layer: decompose works on a picture (raster layer)`);
  const px = store.get(layer.imageId);
  return { layer: { image: { width: px.width, height: px.height, data: new Uint8Array(px.data) }, x: layer.x, y: layer.y, name: layer.name } };
}

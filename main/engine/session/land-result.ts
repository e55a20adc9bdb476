// A task's result -> the document ops that land it (applied by the caller as one undo
// step): add layers (optionally grouped) at a place in the stack, replace a layer with
// several, update a raster layer's pixels in place; an artifact (heatmap) lands nothing.
import { randomUUID } from 'node:crypto';
import type { ResultLayer, TaskResult } from '../../../common/contract/task-results.ts';
import type { DocumentOp } from '../../../common/document/document-ops.ts';
import type { LaminaDocument, Layer } from '../../../common/document/document-schema.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { ImageStore } from '../imaging/image-store.ts';

/** The result's raw pixels go into the store as they are (no decode, no copy). */
function putPixels(store: ImageStore, { width, height, rgba }: Pick<ResultLayer, 'width' | 'height' | 'rgba'>) {
  return { imageId: store.put({ width, height, data: rgba }), width, height };
}

/** Every layer name in the document (groups' children included). */
function namesIn(layers: readonly Layer[], out = new Set<string>()): Set<string> {
  for (const l of layers) {
    out.add(l.name);
    if (l.kind === 'group') namesIn(l.children, out);
  }
  return out;
}

/** `name`, or `name (2)`, `name (3)`… : the first not yet taken (then taken). */
function uniqueName(name: string, taken: Set<string>): string {
  let out = name;
  for (let n = 2; taken.has(out); n++) out = `${name} (${n})`;
  taken.add(out);
  return out;
}

function rasterLayers(store: ImageStore, layers: readonly ResultLayer[], taken: Set<string>): Layer[] {
  return layers.map((layer) => ({
    id: randomUUID(), kind: 'raster', name: uniqueName(layer.name, taken), ...putPixels(store, layer),
    x: layer.x, y: layer.y, visible: true, opacity: 1, blendMode: 'normal', locked: false, provenance: layer.provenance,
  }));
}

/** The layers as one named group, or as they are. */
function grouped(layers: Layer[], group: { name: string } | undefined): Layer[] {
  if (!group) return layers;
  return [{ id: randomUUID(), kind: 'group', name: group.name, expanded: true, children: layers, visible: true, opacity: 1, blendMode: 'normal', x: 0, y: 0, locked: false, provenance: null }];
}

const addAt = (layers: Layer[], parentId: string | null, index: number): DocumentOp[] =>
  layers.map((layer, i) => ({ op: 'add', layer, parentId, index: index + i }));

function target(doc: LaminaDocument, layerId: string, kind?: Layer['kind']) {
  const loc = findLayer(doc.layers, layerId);
  if (!loc) throw new LaminaError('not_found', `the result is for layer "${layerId}", which is no longer in the document`);
  if (kind && loc.layer.kind !== kind) throw new LaminaError('bad_request', `the result is for a ${kind} layer; "${loc.layer.name}" is a ${loc.layer.kind} layer`);
  if (loc.layer.locked) throw new LaminaError('bad_request', `layer "${loc.layer.name}" is locked`);
  return loc;
}

/** Ops that land `result` in `doc` (new pixels go into `store`); null for a result that is not a document change. */
export async function landingOps(doc: LaminaDocument, store: ImageStore, result: TaskResult): Promise<DocumentOp[] | null> {
  const taken = namesIn(doc.layers);
  switch (result.landing) {
    case 'add-layers':
      return addAt(grouped(rasterLayers(store, result.layers, taken), result.group), result.at.parentId, result.at.index);
    case 'replace-layer': {
      const loc = target(doc, result.layerId);
      taken.delete(loc.layer.name); // the replacement may keep the name it replaces
      return [{ op: 'remove', ids: [result.layerId] }, ...addAt(grouped(rasterLayers(store, result.layers, taken), result.group), loc.parentId, loc.index)];
    }
    case 'update-pixels': {
      target(doc, result.layerId, 'raster');
      const { x, y, provenance } = result.image;
      return [{ op: 'update', id: result.layerId, patch: { ...putPixels(store, result.image), x, y, provenance, ...(result.name ? { name: result.name } : {}) } }];
    }
    case 'artifact':
      return null;
  }
}

// Pure helpers over the (front-first) layer tree.
import type { GroupLayer, Layer, LaminaDocument } from './document-schema.ts';
import { generationImageIds } from './generation-history.ts';

export interface LayerLocation {
  layer: Layer;
  /** id of the containing group, or null at the document root */
  parentId: string | null;
  index: number;
}

export function findLayer(layers: readonly Layer[], id: string, parentId: string | null = null): LayerLocation | null {
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index];
    if (layer.id === id) return { layer, parentId, index };
    if (layer.kind === 'group') {
      const inner = findLayer(layer.children, id, layer.id);
      if (inner) return inner;
    }
  }
  return null;
}

/** Depth-first, front to back, groups before their children. */
export function* walkLayers(layers: readonly Layer[], depth = 0): Generator<{ layer: Layer; depth: number }> {
  for (const layer of layers) {
    yield { layer, depth };
    if (layer.kind === 'group') yield* walkLayers(layer.children, depth + 1);
  }
}

export function countLayers(doc: LaminaDocument): number {
  let n = 0;
  for (const _ of walkLayers(doc.layers)) n++;
  return n;
}

/** Every image id referenced by the document (raster pixels, text caches, region masks). */
export function referencedImageIds(layers: readonly Layer[]): Set<string> {
  const ids = new Set<string>();
  for (const { layer } of walkLayers(layers)) {
    if (layer.kind === 'raster') {
      ids.add(layer.imageId);
      if (layer.mask) ids.add(layer.mask.imageId);
    }
    else if (layer.kind === 'text' && layer.imageId) ids.add(layer.imageId);
    else if (layer.kind === 'region' && layer.shape.type === 'mask') ids.add(layer.shape.maskImageId);
  }
  return ids;
}

/** Every image a document refers to: its layers' and its generation thumbnails. */
export function documentImageIds(doc: Pick<LaminaDocument, 'layers' | 'generations'>): Set<string> {
  const ids = referencedImageIds(doc.layers);
  for (const id of generationImageIds(doc.generations)) ids.add(id);
  return ids;
}

/** Returns a copy of `layers` in which the sibling list with `parentId` is replaced by `fn(list)`. */
export function updateSiblings(
  layers: readonly Layer[],
  parentId: string | null,
  fn: (siblings: Layer[]) => Layer[],
): Layer[] {
  if (parentId === null) return fn([...layers]);
  let found = false;
  const visit = (list: readonly Layer[]): Layer[] =>
    list.map((layer) => {
      if (layer.kind !== 'group') return layer;
      if (layer.id === parentId) {
        found = true;
        return { ...layer, children: fn([...layer.children]) } satisfies GroupLayer;
      }
      return { ...layer, children: visit(layer.children) };
    });
  const out = visit(layers);
  if (!found) throw new Error(`no group with id "${parentId}"`);
  return out;
}

export function isDescendant(layers: readonly Layer[], ancestorId: string, id: string): boolean {
  const loc = findLayer(layers, ancestorId);
  if (!loc || loc.layer.kind !== 'group') return false;
  return findLayer(loc.layer.children, id) !== null;
}

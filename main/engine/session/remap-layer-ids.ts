// Imported layers get fresh ids when theirs collide with the target document's.
import { randomUUID } from 'node:crypto';
import type { Layer } from '../../../common/document/document-schema.ts';
import { walkLayers } from '../../../common/document/layer-tree.ts';

export function remapLayerIds(incoming: readonly Layer[], existing: readonly Layer[]): Layer[] {
  const taken = new Set<string>();
  for (const { layer } of walkLayers(existing)) taken.add(layer.id);
  const remap = (layer: Layer): Layer => {
    const id = taken.has(layer.id) ? randomUUID() : layer.id;
    taken.add(id);
    return layer.kind === 'group' ? { ...layer, id, children: layer.children.map(remap) } : { ...layer, id };
  };
  return incoming.map(remap);
}

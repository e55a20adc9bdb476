// More edits of the stack: duplicate (Ctrl+J; with a pixel selection, the selected pixels
// as a new layer), merge visible, clipping mask and lock transparency toggles.
import type { Layer, RasterLayer } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import type { EditorCore } from './editor-core.ts';
import type { LayerCommands } from './layer-commands.ts';
import { selectedRaster } from './paint-commands.ts';
import type { RawImages } from './pixels/raw-images.ts';
import type { SelectionCommands } from './selection-commands.ts';
import { mergeNormal, type MergeInput } from './pixels/merge-layers.ts';
import { rectUnion, type Rect } from './geometry.ts';

/** A copy of a layer (and its children) with fresh ids. */
export function copyLayer(layer: Layer, newId: (prefix: string) => string, name = `${layer.name} copy`): Layer {
  const id = newId(layer.kind);
  if (layer.kind === 'group') return { ...layer, id, name, children: layer.children.map((c) => copyLayer(c, newId, c.name)) };
  return { ...layer, id, name } as Layer;
}

export class LayerStackCommands {
  constructor(
    private readonly core: EditorCore,
    private readonly raw: RawImages,
    private readonly layers: LayerCommands,
    private readonly selection: SelectionCommands,
  ) {}

  /** Ctrl+J: the selected layer copied in front of itself (images are shared: they are immutable). */
  async duplicate(): Promise<boolean> {
    const doc = this.core.document;
    const id = this.core.state.selection[0];
    const loc = doc && id ? findLayer(doc.layers, id) : null;
    if (!loc) return false;
    if (this.core.state.pixelSelection && loc.layer.kind === 'raster') {
      // Photoshop's "Layer via Copy"
      return (await this.selection.copy()) && this.selection.paste();
    }
    const copy = copyLayer(loc.layer, this.core.newId);
    const ok = await this.core.mutate([{ op: 'add', layer: copy, parentId: loc.parentId, index: loc.index }], { label: 'Duplicate Layer' });
    if (ok) this.core.select([copy.id]);
    return ok;
  }

  async toggle(field: 'clip' | 'lockAlpha'): Promise<boolean> {
    const doc = this.core.document;
    const t = doc ? selectedRaster(doc, this.core.state.selection) : null;
    if (!t) {
      this.core.toast('info', 'Select one raster layer');
      return false;
    }
    const on = !t.layer[field];
    const label = field === 'clip' ? (on ? 'Create Clipping Mask' : 'Release Clipping Mask') : on ? 'Lock Transparency' : 'Unlock Transparency';
    return this.core.mutate([{ op: 'update', id: t.layer.id, patch: { [field]: on } }], { label });
  }

  /** The visible raster layers at the top of the stack merged into one (normal blending; masks and clipping applied). */
  async mergeVisible(): Promise<boolean> {
    const { document: doc, docId } = this.core;
    if (!doc || !docId) return false;
    const visible = doc.layers.filter((l): l is RasterLayer => l.kind === 'raster' && l.visible);
    if (visible.length < 2) {
      this.core.toast('info', 'Merge Visible needs two or more visible raster layers at the top level');
      return false;
    }
    if (visible.some((l) => l.locked)) {
      this.core.toast('info', 'Unlock the visible layers to merge them');
      return false;
    }
    if (visible.some((l) => l.blendMode !== 'normal')) this.core.toast('info', 'Blend modes other than normal were merged as normal');
    const inputs: MergeInput[] = [];
    let box: Rect | null = null;
    for (const l of visible) {
      const rect = { x: l.x, y: l.y, width: l.width, height: l.height };
      box = box ? rectUnion(box, rect) : rect;
      const mask = l.mask?.enabled ? { rect: { x: l.mask.x, y: l.mask.y, width: l.mask.width, height: l.mask.height }, image: await this.raw.get(docId, l.mask.imageId), defaultColor: l.mask.defaultColor } : null;
      inputs.push({ pixels: { rect, image: await this.raw.get(docId, l.imageId) }, opacity: l.opacity, mask, clip: !!l.clip });
    }
    const image = mergeNormal(inputs, box!);
    const put = await this.raw.put(docId, image);
    const bottom = visible[visible.length - 1];
    const merged: RasterLayer = { ...bottom, id: this.core.newId('layer'), name: 'Merged', imageId: put.imageId, x: box!.x, y: box!.y, width: put.width, height: put.height, opacity: 1, blendMode: 'normal', mask: null, clip: false, provenance: null };
    const index = doc.layers.indexOf(bottom) - (visible.length - 1);
    const ok = await this.core.mutate([{ op: 'remove', ids: visible.map((l) => l.id) }, { op: 'add', layer: merged, parentId: null, index }], { label: 'Merge Visible' });
    if (ok) this.core.select([merged.id]);
    return ok;
  }
}

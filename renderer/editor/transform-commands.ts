// Free transform's commit: the layer's pixels (and its layer mask) resampled once through
// the scaled-and-turned box (pixels/affine-transform.ts), a box region's box scaled (its
// bounds when turned), a mask region's mask resampled; one undo step. The transform tool
// (tools/transform-tool/) decides where the box goes; this part only applies it.
import type { LayerPatch } from '../../common/document/document-ops.ts';
import type { Layer, RasterLayer } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import type { EditorCore } from './editor-core.ts';
import { absoluteBounds, roundRect, type Rect } from './geometry.ts';
import { corners, isIdentity, mappedBounds, resampleAffine, transformMatrix, type Affine, type BoxTransform } from './pixels/affine-transform.ts';
import type { RawImages } from './pixels/raw-images.ts';

export class TransformCommands {
  constructor(
    private readonly core: EditorCore,
    private readonly raw: RawImages,
  ) {}

  /** The one selected, unlocked, visible raster or region layer, with its box on the canvas. */
  target(): { id: string; rect: Rect } | null {
    const doc = this.core.document;
    const sel = this.core.state.selection;
    if (!doc || sel.length !== 1) return null;
    const l = findLayer(doc.layers, sel[0])?.layer;
    if (!l || l.locked || !l.visible || (l.kind !== 'raster' && l.kind !== 'region')) return null;
    const rect = absoluteBounds(doc, l.id);
    return rect ? { id: l.id, rect } : null;
  }

  /** Why free transform cannot start now; null when it can. */
  refusal(): string | null {
    if (this.target()) return null;
    const doc = this.core.document;
    const l = doc && this.core.state.selection.length === 1 ? findLayer(doc.layers, this.core.state.selection[0])?.layer : null;
    if (!l) return 'Free Transform: select one layer first';
    if (l.locked) return `Free Transform: "${l.name}" is locked`;
    if (!l.visible) return `Free Transform: "${l.name}" is hidden`;
    return `Free Transform: ${l.kind} layers are not transformed (pictures and regions are)`;
  }

  /** `pixels` (canvas box `at`) through m: the new image in the engine and its canvas box. */
  private async resampled(imageId: string, at: Rect, m: Affine, outside?: readonly [number, number, number, number]): Promise<{ imageId: string; rect: Rect }> {
    const docId = this.core.docId!;
    const img = await this.raw.get(docId, imageId);
    const out = mappedBounds(at, m);
    const put = await this.raw.put(docId, resampleAffine(img, at, m, out, outside));
    return { imageId: put.imageId, rect: out };
  }

  private async rasterPatch(l: RasterLayer, abs: Rect, m: Affine, ox: number, oy: number): Promise<LayerPatch> {
    const px = await this.resampled(l.imageId, abs, m);
    const patch: LayerPatch = { imageId: px.imageId, x: px.rect.x - ox, y: px.rect.y - oy, width: px.rect.width, height: px.rect.height };
    if (l.mask) {
      const g = l.mask.defaultColor;
      const mk = await this.resampled(l.mask.imageId, { x: l.mask.x + ox, y: l.mask.y + oy, width: l.mask.width, height: l.mask.height }, m, [g, g, g, 255]);
      patch.mask = { ...l.mask, imageId: mk.imageId, x: mk.rect.x - ox, y: mk.rect.y - oy, width: mk.rect.width, height: mk.rect.height };
    }
    return patch;
  }

  private async patchFor(l: Layer, abs: Rect, m: Affine, ox: number, oy: number): Promise<LayerPatch | null> {
    if (l.kind === 'raster') return this.rasterPatch(l, abs, m, ox, oy);
    if (l.kind !== 'region') return null;
    if (l.shape.type === 'box') {
      const ps = corners(abs, m);
      const xs = ps.map((p) => p.x), ys = ps.map((p) => p.y);
      const r = roundRect({ x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) });
      return { x: r.x - ox, y: r.y - oy, shape: { type: 'box', width: r.width, height: r.height } };
    }
    const mk = await this.resampled(l.shape.maskImageId, abs, m);
    return { x: mk.rect.x - ox, y: mk.rect.y - oy, shape: { type: 'mask', width: mk.rect.width, height: mk.rect.height, maskImageId: mk.imageId } };
  }

  /** Applies `t` to layer `id`: one 'Free Transform' undo step; nothing when it changes nothing. */
  async commit(id: string, t: BoxTransform): Promise<boolean> {
    const { document: doc, docId } = this.core;
    try {
      const loc = doc && docId ? findLayer(doc.layers, id) : null;
      const abs = doc && absoluteBounds(doc, id);
      if (!loc || !abs || loc.layer.locked || isIdentity(t)) return false;
      const m = transformMatrix({ ...t, from: abs });
      const patch = await this.patchFor(loc.layer, abs, m, abs.x - loc.layer.x, abs.y - loc.layer.y);
      if (!patch) return false;
      return await this.core.mutate([{ op: 'update', id, patch }], { label: 'Free Transform' });
    } catch (err) {
      this.core.reportError(err);
      return false;
    } finally {
      if (this.core.state.preview?.kind === 'free-transform') this.core.store.set({ preview: null });
    }
  }
}

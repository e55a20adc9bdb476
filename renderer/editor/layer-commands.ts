// Layer commands: every edit of the layer stack the user asks for, from a menu, a key or
// the end of a tool gesture (move, transform, draw a region, paint a mask). Each is one
// 'document.mutate' through the core, with its undo label.
import type { DocumentOpInput, LayerPatch } from '../../common/document/document-ops.ts';
import type { Layer, RegionLayer } from '../../common/document/document-schema.ts';
import { findLayer, walkLayers } from '../../common/document/layer-tree.ts';
import type { EditorCore, MutateOptions } from './editor-core.ts';
import type { CanvasPreview, MaskStroke } from './editor-state.ts';
import { absoluteBounds, roundRect, type Rect } from './geometry.ts';
import { layerUtil } from './layer-kinds/layer-utils.ts';
import type { Resample } from './layer-kinds/layer-util.ts';
import { arrangeOp, dropTarget, siblingsOf, type Arrange, type DropZone } from './layer-order.ts';
import { maskBoundsAfterStroke } from './mask.ts';
import type { PlacedImage } from './pixel-services.ts';
import { colourPalette, followPromptColour, REGION_NEUTRAL } from './region-colour.ts';


const ARRANGE_LABELS: Record<Arrange, string> = { forward: 'Bring Forward', backward: 'Send Backward', front: 'Bring to Front', back: 'Send to Back' };

export class LayerCommands {
  private lastNudge = { key: '', at: 0, n: 0 };

  constructor(private readonly core: EditorCore) {}

  private get selection(): string[] {
    return this.core.state.selection;
  }

  /** Clears the canvas preview a gesture left, if it is still that gesture's. */
  private clearPreview(kind: CanvasPreview['kind']): void {
    if (this.core.state.preview?.kind === kind) this.core.store.set({ preview: null });
  }

  private regionCount(): number {
    const doc = this.core.document;
    let n = 0;
    if (doc) for (const { layer } of walkLayers(doc.layers)) if (layer.kind === 'region') n++;
    return n;
  }

  /** A new region layer named after the regions already there, in the neutral colour until its prompt names one. */
  private newRegion(name: string, x: number, y: number, shape: RegionLayer['shape']): RegionLayer {
    const n = this.regionCount();
    return {
      id: this.core.newId('region'), kind: 'region', name: `${name} ${n + 1}`, visible: true, opacity: 1, blendMode: 'normal',
      x, y, locked: false, provenance: null, prompt: '', color: REGION_NEUTRAL, shape,
    };
  }

  private async addRegion(layer: RegionLayer, label: string): Promise<void> {
    if (await this.addLayer(layer, label)) this.core.store.set({ selection: [layer.id], editingRegionId: layer.id });
  }

  /** Add a layer just in front of the selected one (or at the very front). */
  async addLayer(layer: Layer, label: string): Promise<boolean> {
    const doc = this.core.document;
    if (!doc) return false;
    const sel = this.selection[0] ? findLayer(doc.layers, this.selection[0]) : null;
    let parentId: string | null = null;
    let index = 0;
    if (sel) {
      if (sel.layer.kind === 'group' && sel.layer.expanded) parentId = sel.layer.id;
      else {
        parentId = sel.parentId;
        index = sel.index;
      }
    }
    return this.core.mutate([{ op: 'add', layer, parentId, index }], { label });
  }

  updateLayer(id: string, patch: LayerPatch, opts: MutateOptions = {}): Promise<boolean> {
    return this.core.mutate([{ op: 'update', id, patch }], { label: opts.label ?? 'Layer Properties', history: opts.history, mergeKey: opts.mergeKey });
  }

  /** A region's new prompt; an automatic overlay colour follows its colour word (one undo step). */
  setRegionPrompt(id: string, prompt: string): Promise<boolean> {
    const loc = this.core.document ? findLayer(this.core.document.layers, id) : null;
    if (!loc || loc.layer.kind !== 'region') return Promise.resolve(false);
    const color = followPromptColour(loc.layer.color, loc.layer.prompt, prompt, colourPalette(this.core.state.packs));
    return this.updateLayer(id, { prompt, ...(color ? { color } : {}) }, { label: 'Region Prompt' });
  }

  async deleteSelection(): Promise<void> {
    const doc = this.core.document;
    if (!doc || !this.selection.length) return;
    const ids = this.selection.filter((id) => {
      const l = findLayer(doc.layers, id)?.layer;
      return l && !l.locked;
    });
    if (ids.length < this.selection.length) this.core.toast('info', 'Locked layers were not deleted');
    if (!ids.length) return;
    if (await this.core.mutate([{ op: 'remove', ids }], { label: ids.length > 1 ? 'Delete Layers' : 'Delete Layer' })) this.core.select([]);
  }

  async arrange(how: Arrange): Promise<void> {
    const doc = this.core.document;
    const id = this.selection[0];
    if (!doc || !id) return;
    const op = arrangeOp(doc, id, how);
    if (op) await this.core.mutate([op], { label: ARRANGE_LABELS[how] });
  }

  /** Drop from the layers panel: move `dragId` before/after/inside `refId`. */
  async dropLayer(dragId: string, refId: string, zone: DropZone): Promise<boolean> {
    const doc = this.core.document;
    if (!doc) return false;
    const t = dropTarget(doc.layers, dragId, refId, zone);
    if (!t) return false;
    return this.core.mutate([{ op: 'move', id: dragId, parentId: t.parentId, index: t.index }], { label: 'Reorder Layers' });
  }

  async groupSelection(): Promise<void> {
    const doc = this.core.document;
    const ids = this.selection;
    if (!doc || !ids.length) return;
    const groupId = this.core.newId('group');
    let n = 1;
    for (const { layer } of walkLayers(doc.layers)) if (layer.kind === 'group') n++;
    if (await this.core.mutate([{ op: 'group', ids: [...ids], groupId, name: `Group ${n}` }], { label: 'Group Layers' })) this.core.select([groupId]);
  }

  async ungroupSelection(): Promise<void> {
    const doc = this.core.document;
    const id = this.selection[0];
    const loc = doc && id ? findLayer(doc.layers, id) : null;
    if (!loc || loc.layer.kind !== 'group') return;
    const children = loc.layer.children.map((c) => c.id);
    if (await this.core.mutate([{ op: 'ungroup', id }], { label: 'Ungroup' })) this.core.select(children);
  }

  async mergeDown(): Promise<void> {
    const { document: doc, docId, pixels } = this.core;
    const id = this.selection[0];
    if (!doc || !docId || !id || !pixels) return;
    const loc = findLayer(doc.layers, id);
    if (!loc) return;
    const below = siblingsOf(doc.layers, loc.parentId)[loc.index + 1];
    if (loc.layer.kind !== 'raster' || !below || below.kind !== 'raster') {
      this.core.toast('info', 'Merge Down needs a raster layer with a raster layer below it');
      return;
    }
    if (below.locked) {
      this.core.toast('info', `"${below.name}" is locked`);
      return;
    }
    const up = loc.layer;
    const upper: PlacedImage = { imageId: up.imageId, rect: { x: up.x, y: up.y, width: up.width, height: up.height }, opacity: up.visible ? up.opacity : 0, blendMode: up.blendMode };
    const lower: PlacedImage = { imageId: below.imageId, rect: { x: below.x, y: below.y, width: below.width, height: below.height }, opacity: 1, blendMode: 'normal' };
    const merged = await this.core.guard(pixels.mergeDown(upper, lower));
    if (!merged) return;
    const put = await this.core.call('document.putImage', { docId, image: merged.image });
    if (!put) return;
    const ok = await this.core.mutate(
      [
        { op: 'remove', ids: [up.id] },
        { op: 'update', id: below.id, patch: { imageId: put.imageId, width: put.width, height: put.height, x: merged.rect.x, y: merged.rect.y } },
      ],
      { label: 'Merge Down' },
    );
    if (ok) this.core.select([below.id]);
  }

  /** Update ops moving the unlocked leaves under `ids` (a group moves by moving its leaves; group offsets stay zero). */
  private moveOps(ids: readonly string[], dx: number, dy: number): DocumentOpInput[] {
    const doc = this.core.document;
    const ops: DocumentOpInput[] = [];
    if (!doc) return ops;
    const seen = new Set<string>();
    for (const id of ids) {
      const loc = findLayer(doc.layers, id);
      if (!loc) continue;
      for (const { layer } of walkLayers([loc.layer])) {
        if (layer.kind === 'group' || layer.locked || seen.has(layer.id)) continue;
        seen.add(layer.id);
        ops.push({ op: 'update', id: layer.id, patch: { x: Math.round(layer.x + dx), y: Math.round(layer.y + dy) } });
      }
    }
    return ops;
  }

  commitMove(ids: readonly string[], dx: number, dy: number): void {
    const ops = this.moveOps(ids, dx, dy);
    if (!ops.length) {
      this.core.store.set({ preview: null });
      return;
    }
    void this.core.mutate(ops, { label: 'Move' }).finally(() => this.clearPreview('move'));
  }

  /** Arrow keys move the selection by 1 px (Shift: 10); presses within a second are one undo step. */
  async nudge(dx: number, dy: number, now = Date.now()): Promise<void> {
    const ops = this.moveOps(this.selection, dx, dy);
    if (!ops.length) return;
    const key = this.selection.join('|');
    if (key !== this.lastNudge.key || now - this.lastNudge.at > 1000) this.lastNudge.n++;
    this.lastNudge = { key, at: now, n: this.lastNudge.n };
    await this.core.mutate(ops, { history: 'merge', mergeKey: `nudge:${key}:${this.lastNudge.n}`, label: 'Nudge' });
  }

  commitRegionBox(rect: Rect): void {
    const r = roundRect(rect);
    void this.addRegion(this.newRegion('Region', r.x, r.y, { type: 'box', width: r.width, height: r.height }), 'Add Region');
  }

  commitMaskStroke(stroke: MaskStroke): void {
    void this.paintMask(stroke).finally(() => this.clearPreview('stroke'));
  }

  private async paintMask(stroke: MaskStroke): Promise<void> {
    const { document: doc, docId, pixels } = this.core;
    if (!doc || !docId || !pixels) return;
    const sel = this.selection.length === 1 ? findLayer(doc.layers, this.selection[0]) : null;
    const target = sel && sel.layer.kind === 'region' && sel.layer.shape.type === 'mask' && !sel.layer.locked ? (sel.layer as RegionLayer) : null;
    const existing = target ? absoluteBounds(doc, target.id) : null;
    const bounds = maskBoundsAfterStroke(existing, stroke, doc);
    if (!bounds) return;
    const base = target && existing && target.shape.type === 'mask' ? { imageId: target.shape.maskImageId, rect: existing } : null;
    const image = await this.core.guard(pixels.rasterizeMask({ bounds, base, stroke }));
    if (image === undefined) return;
    if (image === null) {
      if (target) await this.core.mutate([{ op: 'remove', ids: [target.id] }], { label: 'Erase Mask' });
      return;
    }
    const put = await this.core.call('document.putImage', { docId, image });
    if (!put) return;
    const shape = { type: 'mask' as const, width: put.width, height: put.height, maskImageId: put.imageId };
    if (target) {
      const ox = existing!.x - target.x, oy = existing!.y - target.y; // group offset
      await this.core.mutate([{ op: 'update', id: target.id, patch: { shape, x: bounds.x - ox, y: bounds.y - oy } }], { label: 'Paint Mask' });
    } else {
      await this.addRegion(this.newRegion('Mask', bounds.x, bounds.y, shape), 'Add Mask Region');
    }
  }

  /** Scale/move a layer to `rect` (canvas px, absolute) from the transform handles. */
  async commitTransform(id: string, rect: Rect): Promise<void> {
    const { document: doc, docId, pixels } = this.core;
    if (!doc || !docId) return;
    const loc = findLayer(doc.layers, id);
    const abs = absoluteBounds(doc, id);
    if (!loc || !abs || loc.layer.locked) return;
    const r = roundRect(rect);
    const ox = abs.x - loc.layer.x, oy = abs.y - loc.layer.y;
    const layer = loc.layer;
    const util = layerUtil(layer);
    if (!util.resizable(layer)) return;
    const resample: Resample = async (imageId, width, height) => {
      if (!pixels) throw new Error('scaling pixels needs the canvas');
      return this.core.client.call('document.putImage', { docId, image: await pixels.resample(imageId, width, height) });
    };
    try {
      const patch = await util.resize(layer, { ...r, x: r.x - ox, y: r.y - oy }, resample);
      await this.core.mutate([{ op: 'update', id, patch }], { label: 'Transform' });
    } catch (err) {
      this.core.reportError(err);
    } finally {
      this.clearPreview('transform');
    }
  }
}

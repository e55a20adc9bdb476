// Transform and canvas commands: rotate and flip the selected layers (pixels, masks and
// region boxes), crop the canvas to a rectangle, Canvas Size (grow or shrink around an
// anchor) and Image Size (scale everything, resampling pixels). Each is one undo step.
import type { DocumentOpInput, LayerPatch } from '../../common/document/document-ops.ts';
import type { Layer } from '../../common/document/document-schema.ts';
import { findLayer, walkLayers } from '../../common/document/layer-tree.ts';
import { flipRgba, rotateRgba, type QuarterTurn } from '../../common/imaging/rgba-transforms.ts';
import type { RawImage } from '../../common/contract/raw-image.ts';
import { outOfRange, LIMITS } from '../../common/contract/limits.ts';
import type { EditorCore } from './editor-core.ts';
import { absoluteBounds, roundRect, type Rect } from './geometry.ts';
import { layerUtil } from './layer-kinds/layer-utils.ts';
import { anchorOffset, quarterTurnRect, scaledRect, type Anchor } from './canvas-transform.ts';

type PixelOp = (img: RawImage) => RawImage;

export class CanvasCommands {
  constructor(private readonly core: EditorCore) {}

  /** The unlocked leaves under the selection (a group turns by turning its leaves). */
  private selectedLeaves(): Layer[] {
    const doc = this.core.document;
    if (!doc) return [];
    const seen = new Map<string, Layer>();
    for (const id of this.core.state.selection) {
      const loc = findLayer(doc.layers, id);
      if (loc) for (const { layer } of walkLayers([loc.layer])) if (layer.kind !== 'group' && !layer.locked) seen.set(layer.id, layer);
    }
    return [...seen.values()];
  }

  /** New pixels for one image of the document, through `op`. */
  private async transformImage(imageId: string, op: PixelOp): Promise<{ imageId: string; width: number; height: number }> {
    const docId = this.core.docId!;
    const img = await this.core.client.call('document.image', { docId, imageId });
    return this.core.client.call('document.putImage', { docId, image: op(img) });
  }

  /** The patch that puts `op` on a layer's pixels, its box going to `rect` (its own coordinates). */
  private async pixelPatch(layer: Layer, op: PixelOp, rect: Rect): Promise<LayerPatch | null> {
    if (layer.kind === 'raster') {
      const put = await this.transformImage(layer.imageId, op);
      return { imageId: put.imageId, width: put.width, height: put.height, x: rect.x, y: rect.y };
    }
    if (layer.kind === 'region') {
      if (layer.shape.type === 'box') return { x: rect.x, y: rect.y, shape: { type: 'box', width: rect.width, height: rect.height } };
      const put = await this.transformImage(layer.shape.maskImageId, op);
      return { x: rect.x, y: rect.y, shape: { type: 'mask', width: put.width, height: put.height, maskImageId: put.imageId } };
    }
    return null; // text is re-rendered, not turned
  }

  private async applyToSelection(label: string, op: PixelOp, turnsBox: boolean): Promise<void> {
    const layers = this.selectedLeaves();
    if (!layers.length) return this.core.toast('info', `${label}: select a layer first`);
    const ops: DocumentOpInput[] = [];
    try {
      for (const layer of layers) {
        const r = layerUtil(layer).rect(layer);
        if (!r) continue;
        const patch = await this.pixelPatch(layer, op, turnsBox ? quarterTurnRect(r) : r);
        if (patch) ops.push({ op: 'update', id: layer.id, patch });
      }
    } catch (err) {
      return this.core.reportError(err);
    }
    if (ops.length < layers.length) this.core.toast('info', `${label}: text layers are left as they are`);
    if (ops.length) await this.core.mutate(ops, { label });
  }

  rotateSelection(turn: QuarterTurn): Promise<void> {
    return this.applyToSelection(turn === 180 ? 'Rotate 180°' : turn === 90 ? 'Rotate 90° Clockwise' : 'Rotate 90° Counter-Clockwise', (img) => rotateRgba(img, turn), turn !== 180);
  }

  flipSelection(axis: 'horizontal' | 'vertical'): Promise<void> {
    return this.applyToSelection(axis === 'horizontal' ? 'Flip Horizontal' : 'Flip Vertical', (img) => flipRgba(img, axis), false);
  }

  /** Update ops moving every leaf by (dx, dy). */
  private shiftAll(dx: number, dy: number): DocumentOpInput[] {
    const doc = this.core.document!;
    if (!dx && !dy) return [];
    return [...walkLayers(doc.layers)].filter(({ layer }) => layer.kind !== 'group').map(({ layer }) => ({ op: 'update' as const, id: layer.id, patch: { x: layer.x + dx, y: layer.y + dy } }));
  }

  /** `ops` as an edit of the whole document: locked layers move and scale with the canvas
   * too (unlocked around the edit, locked again after it, in the same undo step). */
  private wholeDocument(ops: DocumentOpInput[]): DocumentOpInput[] {
    const doc = this.core.document!;
    const locked = [...new Set(ops.flatMap((o) => (o.op === 'update' && findLayer(doc.layers, o.id)?.layer.locked ? [o.id] : [])))];
    return [
      ...locked.map((id) => ({ op: 'update' as const, id, patch: { locked: false } })),
      ...ops,
      ...locked.map((id) => ({ op: 'update' as const, id, patch: { locked: true } })),
    ];
  }

  private sizeProblem(width: number, height: number): string | null {
    return outOfRange(LIMITS.canvasSide, width) ?? outOfRange(LIMITS.canvasSide, height);
  }

  /** The canvas becomes `rect` (canvas px): the layers keep their pixels, shifted so the rect's corner is the new origin. */
  async cropTo(rect: Rect): Promise<boolean> {
    const doc = this.core.document;
    if (!doc) return false;
    const r = roundRect(rect);
    const problem = this.sizeProblem(r.width, r.height);
    if (problem) {
      this.core.toast('error', problem, 'too_large');
      return false;
    }
    return this.core.mutate(this.wholeDocument([{ op: 'resize-canvas', width: r.width, height: r.height }, ...this.shiftAll(-r.x, -r.y)]), { label: 'Crop' });
  }

  /** Crop to the selected layer's box (a region drawn for it, or a picture). */
  async cropToSelection(): Promise<void> {
    const doc = this.core.document;
    const id = this.core.state.selection[0];
    const r = doc && id ? absoluteBounds(doc, id) : null;
    if (!r) return this.core.toast('info', 'Crop: select the layer or region to crop to');
    await this.cropTo(r);
  }

  /** Canvas Size: the canvas grows or shrinks to width x height, the picture kept at `anchor`. */
  async resizeCanvas(width: number, height: number, anchor: Anchor): Promise<boolean> {
    const doc = this.core.document;
    if (!doc) return false;
    const problem = this.sizeProblem(width, height);
    if (problem) {
      this.core.toast('error', problem, 'too_large');
      return false;
    }
    const { dx, dy } = anchorOffset(doc, { width, height }, anchor);
    return this.core.mutate(this.wholeDocument([{ op: 'resize-canvas', width, height }, ...this.shiftAll(dx, dy)]), { label: 'Canvas Size' });
  }

  /** Image Size: everything scaled to a width x height canvas, pixels resampled. */
  async resizeImage(width: number, height: number): Promise<boolean> {
    const { document: doc, docId, pixels } = this.core;
    if (!doc || !docId) return false;
    const problem = this.sizeProblem(width, height);
    if (problem) {
      this.core.toast('error', problem, 'too_large');
      return false;
    }
    const resample = async (imageId: string, w: number, h: number) => {
      if (!pixels) throw new Error('resampling pixels needs the canvas');
      return this.core.client.call('document.putImage', { docId, image: await pixels.resample(imageId, w, h) });
    };
    const ops: DocumentOpInput[] = [{ op: 'resize-canvas', width, height }];
    try {
      for (const { layer } of walkLayers(doc.layers)) {
        const r = layer.kind === 'group' ? null : layerUtil(layer).rect(layer);
        if (!r) continue;
        const to = scaledRect(r, doc, { width, height });
        const patch = layerUtil(layer).resizable(layer) ? await layerUtil(layer).resize(layer, to, resample) : { x: to.x, y: to.y };
        ops.push({ op: 'update', id: layer.id, patch });
      }
    } catch (err) {
      this.core.reportError(err);
      return false;
    }
    return this.core.mutate(this.wholeDocument(ops), { label: 'Image Size' });
  }
}

// Layer masks on raster layers: add one (reveal all, or from the pixel selection), paint
// it (the brush and eraser while "edit mask" is on: paint-commands.ts), enable / disable,
// apply (multiply it into the pixels) and delete. Each is one undo step.
import type { LayerMask } from '../../common/document/document-schema.ts';
import type { EditorCore } from './editor-core.ts';
import { selectedRaster, type RasterTarget } from './paint-commands.ts';
import { applyMask, filledMask, maskFromSelection } from './pixels/layer-mask.ts';
import type { RawImages } from './pixels/raw-images.ts';

export class LayerMaskCommands {
  constructor(
    private readonly core: EditorCore,
    private readonly raw: RawImages,
  ) {}

  private target(needMask: boolean): RasterTarget | null {
    const doc = this.core.document;
    const t = doc ? selectedRaster(doc, this.core.state.selection) : null;
    if (!t) return this.refuse('Select one raster layer');
    if (t.layer.locked) return this.refuse(`"${t.layer.name}" is locked`);
    if (needMask && !t.layer.mask) return this.refuse(`"${t.layer.name}" has no layer mask`);
    return t;
  }

  private refuse(message: string): null {
    this.core.toast('info', message);
    return null;
  }

  /** A mask over the layer's box: white (reveal all), or the pixel selection when there is one. */
  async add(): Promise<boolean> {
    const t = this.target(false);
    const docId = this.core.docId;
    if (!t || !docId) return false;
    if (t.layer.mask) return !!this.refuse(`"${t.layer.name}" already has a layer mask`);
    const sel = this.core.state.pixelSelection;
    const image = sel ? maskFromSelection(t.abs, sel) : filledMask(t.abs, 255);
    const put = await this.raw.put(docId, image);
    const mask: LayerMask = { imageId: put.imageId, x: t.layer.x, y: t.layer.y, width: put.width, height: put.height, enabled: true, defaultColor: sel ? 0 : 255 };
    const ok = await this.core.mutate([{ op: 'update', id: t.layer.id, patch: { mask } }], { label: 'Add Layer Mask' });
    if (ok) this.core.store.set({ editMask: true, ...(sel ? { pixelSelection: null } : {}) });
    return ok;
  }

  setEnabled(enabled: boolean): Promise<boolean> {
    const t = this.target(true);
    if (!t) return Promise.resolve(false);
    return this.core.mutate([{ op: 'update', id: t.layer.id, patch: { mask: { ...t.layer.mask!, enabled } } }], { label: enabled ? 'Enable Layer Mask' : 'Disable Layer Mask' });
  }

  /** Multiplies the mask into the layer's alpha and removes it. */
  async apply(): Promise<boolean> {
    const t = this.target(true);
    const docId = this.core.docId;
    if (!t || !docId) return false;
    const m = t.layer.mask!;
    const pixels = { rect: t.abs, image: await this.raw.get(docId, t.layer.imageId) };
    const mask = { rect: { x: m.x + t.ox, y: m.y + t.oy, width: m.width, height: m.height }, image: await this.raw.get(docId, m.imageId) };
    const put = await this.raw.put(docId, m.enabled ? applyMask(pixels, mask, m.defaultColor) : pixels.image);
    const ok = await this.core.mutate([{ op: 'update', id: t.layer.id, patch: { imageId: put.imageId, mask: null } }], { label: 'Apply Layer Mask' });
    if (ok) this.core.store.set({ editMask: false });
    return ok;
  }

  async remove(): Promise<boolean> {
    const t = this.target(true);
    if (!t) return false;
    const ok = await this.core.mutate([{ op: 'update', id: t.layer.id, patch: { mask: null } }], { label: 'Delete Layer Mask' });
    if (ok) this.core.store.set({ editMask: false });
    return ok;
  }
}

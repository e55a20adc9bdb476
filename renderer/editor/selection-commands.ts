// The pixel selection: marquee and lasso shapes combined into one canvas-sized mask
// (view state, like the layer selection: it does not enter the undo history), and what
// a selection limits: Delete clears its pixels, Copy / Cut / Paste move them through the
// editor's clipboard. Painting and regeneration read the same mask from the store.
import type { RasterLayer } from '../../common/document/document-schema.ts';
import type { EditorCore } from './editor-core.ts';
import type { Rect } from './geometry.ts';
import { clearSelected, copySelected, placeInto, type PlacedPixels } from './pixels/composite-stroke.ts';
import type { RawImages } from './pixels/raw-images.ts';
import {
  combineSelection, invertSelection, isEmptySelection, selectAll, selectionBounds,
  type SelectionMask, type SelectionMode, type SelectionShape,
} from './pixels/selection-mask.ts';
import { newRasterLayer, selectedRaster } from './paint-commands.ts';
import type { LayerCommands } from './layer-commands.ts';

export class SelectionCommands {
  /** what Copy / Cut put here (the pixels and where they were on the canvas) */
  clipboard: PlacedPixels | null = null;
  private pasteCount = 0;

  constructor(
    private readonly core: EditorCore,
    private readonly raw: RawImages,
    private readonly layers: LayerCommands,
  ) {}

  get mask(): SelectionMask | null {
    return this.core.state.pixelSelection;
  }

  private set(mask: SelectionMask | null): void {
    this.core.store.set({ pixelSelection: mask && !isEmptySelection(mask) ? mask : null });
  }

  apply(shape: SelectionShape, mode: SelectionMode): void {
    const doc = this.core.document;
    if (!doc) return;
    this.set(combineSelection(this.mask, doc.width, doc.height, shape, mode));
  }

  selectAll(): void {
    const doc = this.core.document;
    if (doc) this.set(selectAll(doc.width, doc.height));
  }

  deselect(): void {
    this.core.store.set({ pixelSelection: null });
  }

  invert(): void {
    const doc = this.core.document;
    if (!doc) return;
    this.set(invertSelection(this.mask ?? { width: doc.width, height: doc.height, data: new Uint8Array(doc.width * doc.height) }));
  }

  bounds(): Rect | null {
    return this.mask ? selectionBounds(this.mask) : null;
  }

  /** The selected raster layer, unlocked, for an edit of its pixels; toasts why not. */
  private editable(): ReturnType<typeof selectedRaster> {
    const doc = this.core.document;
    const t = doc ? selectedRaster(doc, this.core.state.selection) : null;
    if (!t) {
      this.core.toast('info', 'Select one raster layer');
      return null;
    }
    if (t.layer.locked) {
      this.core.toast('info', `"${t.layer.name}" is locked`);
      return null;
    }
    return t;
  }

  /** Delete with a selection: the selected pixels of the selected raster layer become transparent (one undo step). */
  async deletePixels(): Promise<boolean> {
    const { docId } = this.core;
    const sel = this.mask;
    const t = sel && docId ? this.editable() : null;
    if (!t || !sel || !docId) return false;
    const placed = placeInto({ rect: t.abs, image: await this.raw.get(docId, t.layer.imageId) }, t.abs);
    if (!clearSelected(placed, sel)) return false;
    return this.putPixels(t.layer, placed, 'Delete Pixels');
  }

  private async putPixels(layer: RasterLayer, placed: PlacedPixels, label: string): Promise<boolean> {
    const put = await this.raw.put(this.core.docId!, placed.image);
    return this.core.mutate([{ op: 'update', id: layer.id, patch: { imageId: put.imageId } }], { label });
  }

  /** Copies the selected pixels (all of the layer without a selection); false when there is nothing. */
  async copy(): Promise<boolean> {
    const { document: doc, docId } = this.core;
    const t = doc && docId ? selectedRaster(doc, this.core.state.selection) : null;
    if (!t || !docId || !doc) {
      this.core.toast('info', 'Select one raster layer to copy from');
      return false;
    }
    const src = { rect: t.abs, image: await this.raw.get(docId, t.layer.imageId) };
    const sel = this.mask;
    const box = sel ? selectionBounds(sel) : t.abs;
    const out = sel && box ? copySelected(src, sel, box) : src;
    if (!out) {
      this.core.toast('info', 'The selected area of this layer is empty');
      return false;
    }
    this.clipboard = out;
    return true;
  }

  async cut(): Promise<boolean> {
    if (!(await this.copy())) return false;
    if (this.mask) return this.deletePixels();
    const t = selectedRaster(this.core.document!, this.core.state.selection);
    if (t && !t.layer.locked) await this.core.mutate([{ op: 'remove', ids: [t.layer.id] }], { label: 'Cut' });
    return true;
  }

  /** Pastes the clipboard as a new layer where it was copied from (in front of the selection). */
  async paste(): Promise<boolean> {
    const { docId } = this.core;
    const clip = this.clipboard;
    if (!clip || !docId) return false;
    const put = await this.raw.put(docId, clip.image);
    const layer = newRasterLayer(this.core.newId('layer'), `Pasted ${++this.pasteCount}`, put, clip.rect.x, clip.rect.y);
    const ok = await this.layers.addLayer(layer, 'Paste');
    if (ok) this.core.select([layer.id]);
    return ok;
  }
}

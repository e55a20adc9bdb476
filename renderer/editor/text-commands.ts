// Text layers, as the Text tool (T) and the properties panel edit them: place a new one,
// change its words, change its style. Each is one 'document.mutate' (one undo step) that
// carries the text fields and the pixels rendered from them (PixelServices.rasterizeText),
// so the canvas, ORA and PSD all show the same picture.
import type { LayerPatch } from '../../common/document/document-ops.ts';
import type { TextAlign, TextLayer } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import { DEFAULT_TEXT_FONT } from '../../common/document/text-fonts.ts';
import type { EditorCore } from './editor-core.ts';
import type { Point } from './geometry.ts';
import type { LayerCommands } from './layer-commands.ts';

export interface TextStyle {
  fontFamily: string;
  fontSize: number;
  /** RGBA 0-255 */
  color: [number, number, number, number];
  align: TextAlign;
}

export const DEFAULT_TEXT_STYLE: TextStyle = { fontFamily: DEFAULT_TEXT_FONT, fontSize: 48, color: [0, 0, 0, 255], align: 'left' };

/** What is being typed on the canvas: an existing layer, or a new one to place at `at`. */
export type TextEditing = { id: string; at?: undefined } | { id: null; at: Point };

/** The layer's name: its first line, shortened, like Photoshop. */
export function textLayerName(text: string): string {
  const first = text.split('\n').find((l) => l.trim())?.trim() ?? 'Text';
  return first.length > 30 ? `${first.slice(0, 29)}…` : first;
}

export class TextCommands {
  constructor(
    private readonly core: EditorCore,
    private readonly layers: LayerCommands,
  ) {}

  private textLayer(id: string): TextLayer | null {
    const l = this.core.document ? findLayer(this.core.document.layers, id)?.layer : null;
    return l && l.kind === 'text' ? l : null;
  }

  /** The style new text gets (the tool options); also applied to the text being edited. */
  get style(): TextStyle {
    return this.core.state.textStyle;
  }

  /** Start typing a new text layer at a canvas point (the Text tool's click). */
  beginAt(at: Point): void {
    this.core.store.set({ editingText: { id: null, at: { x: Math.round(at.x), y: Math.round(at.y) } }, selection: [] });
  }

  /** Edit an existing text layer in place (double-click, or the Text tool's click on it). */
  beginEdit(id: string): boolean {
    const l = this.textLayer(id);
    if (!l || l.locked) return false;
    this.core.store.set({
      editingText: { id },
      selection: [id],
      textStyle: { fontFamily: l.fontFamily, fontSize: l.fontSize, color: [...l.color], align: l.align ?? 'left' },
    });
    return true;
  }

  /**
   * Stop typing: a new layer is created from non-empty text; an edited layer takes the text.
   * `target` is the editing the text was typed for (a click elsewhere may have started the next one).
   */
  async finish(text: string, target: TextEditing | null = this.core.state.editingText): Promise<boolean> {
    const editing = target;
    if (this.core.state.editingText === target) this.core.store.set({ editingText: null });
    if (!editing) return false;
    if (editing.id === null) return text.trim() ? (await this.create(editing.at, text)) !== null : false;
    const l = this.textLayer(editing.id);
    if (!l || l.text === text) return false;
    if (!text.trim()) return this.core.mutate([{ op: 'remove', ids: [l.id] }], { label: 'Delete Text' });
    return this.setText(l.id, text);
  }

  cancel(): void {
    this.core.store.set({ editingText: null });
  }

  /** Render `text` in `style`: the cache fields of a text layer (none without a canvas). */
  private async render(text: string, style: TextStyle): Promise<Pick<LayerPatch, 'imageId' | 'width' | 'height'> | null> {
    const { docId, pixels } = this.core;
    if (!docId) return null;
    if (!pixels?.rasterizeText) return {};
    const image = await this.core.guard(pixels.rasterizeText({ text, ...style }));
    if (!image) return null;
    const put = await this.core.call('document.putImage', { docId, image });
    return put ? { imageId: put.imageId, width: put.width, height: put.height } : null;
  }

  /** A new text layer with its top-left at `at`, in front of the selection; returns its id. */
  async create(at: Point, text: string, style: TextStyle = this.style): Promise<string | null> {
    if (!this.core.document) return null;
    const cache = await this.render(text, style);
    if (!cache) return null;
    const layer: TextLayer = {
      id: this.core.newId('text'), kind: 'text', name: textLayerName(text), visible: true, opacity: 1, blendMode: 'normal',
      x: Math.round(at.x), y: Math.round(at.y), locked: false, provenance: null,
      text, fontFamily: style.fontFamily, fontSize: style.fontSize, color: [...style.color], align: style.align, ...cache,
    };
    if (!(await this.layers.addLayer(layer, 'Add Text'))) return null;
    this.core.select([layer.id]);
    return layer.id;
  }

  /** New words for a text layer (one undo step, pixels re-rendered). */
  async setText(id: string, text: string): Promise<boolean> {
    const l = this.textLayer(id);
    if (!l) return false;
    const cache = await this.render(text, this.styleOf(l));
    if (!cache) return false;
    const rename = l.name === textLayerName(l.text) ? { name: textLayerName(text) } : {};
    return this.core.mutate([{ op: 'update', id, patch: { text, ...rename, ...cache } }], { label: 'Edit Text' });
  }

  /** Change a text layer's font, size, colour or alignment (one undo step, pixels re-rendered). */
  async setStyle(id: string, patch: Partial<TextStyle>, opts: { mergeKey?: string } = {}): Promise<boolean> {
    const l = this.textLayer(id);
    if (!l) return false;
    const style = { ...this.styleOf(l), ...patch };
    this.core.store.set({ textStyle: style });
    const cache = await this.render(l.text, style);
    if (!cache) return false;
    const fields: LayerPatch = {};
    if (patch.fontFamily !== undefined) fields.fontFamily = patch.fontFamily;
    if (patch.fontSize !== undefined) fields.fontSize = patch.fontSize;
    if (patch.color !== undefined) fields.color = [...patch.color];
    if (patch.align !== undefined) fields.align = patch.align;
    const merge = opts.mergeKey ? { history: 'merge' as const, mergeKey: `${opts.mergeKey}:${id}` } : {};
    return this.core.mutate([{ op: 'update', id, patch: { ...fields, ...cache } }], { label: 'Text Style', ...merge });
  }

  /** The tool options: the style of new text; with a text layer selected (or being edited) it is restyled too. */
  async setToolStyle(patch: Partial<TextStyle>, opts: { mergeKey?: string } = {}): Promise<void> {
    this.core.store.set({ textStyle: { ...this.style, ...patch } });
    const editing = this.core.state.editingText;
    const id = editing?.id ?? (this.core.state.selection.length === 1 ? this.core.state.selection[0] : null);
    if (id && this.textLayer(id)) await this.setStyle(id, patch, opts);
  }

  private styleOf(l: TextLayer): TextStyle {
    return { fontFamily: l.fontFamily, fontSize: l.fontSize, color: [...l.color], align: l.align ?? 'left' };
  }
}

// Painting commands: a brush or eraser stroke lands on the selected raster layer (or on
// its mask while the mask is being edited) as one undo step; the eyedropper picks the
// colour under a point. Pixel work is raw RGBA in typed arrays (pixels/); the engine
// keeps the images ('document.image' in, 'document.putImage' out).
import type { LaminaDocument, RasterLayer } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import type { EditorCore } from './editor-core.ts';
import { absoluteBounds, rectIntersection, rectUnion, type Point, type Rect } from './geometry.ts';
import type { PaintStroke } from './pixels/brush.ts';
import { compositeStroke, placeInto } from './pixels/composite-stroke.ts';
import { compositeSamples, type PixelSample } from './pixels/eyedropper.ts';
import type { RawImages } from './pixels/raw-images.ts';
import { strokeCoverage } from './pixels/stroke-coverage.ts';
import { luminance } from './pixels/layer-mask.ts';
import type { LayerCommands } from './layer-commands.ts';

export interface RasterTarget {
  layer: RasterLayer;
  /** the layer's box on the canvas */
  abs: Rect;
  /** its groups' offset (canvas = layer + offset) */
  ox: number;
  oy: number;
}

/** The one selected raster layer with its canvas box, or null. */
export function selectedRaster(doc: LaminaDocument, selection: readonly string[]): RasterTarget | null {
  if (selection.length !== 1) return null;
  const layer = findLayer(doc.layers, selection[0])?.layer;
  const abs = layer ? absoluteBounds(doc, layer.id) : null;
  if (!layer || layer.kind !== 'raster' || !abs) return null;
  return { layer, abs, ox: abs.x - layer.x, oy: abs.y - layer.y };
}

/** A new visible, unlocked raster layer holding stored pixels at (x, y). */
export function newRasterLayer(id: string, name: string, put: { imageId: string; width: number; height: number }, x: number, y: number): RasterLayer {
  return { id, kind: 'raster', name, visible: true, opacity: 1, blendMode: 'normal', x, y, locked: false, provenance: null, imageId: put.imageId, width: put.width, height: put.height };
}

export class PaintCommands {
  private layerCount = 0;

  constructor(
    private readonly core: EditorCore,
    private readonly raw: RawImages,
    private readonly layers: LayerCommands,
  ) {}

  /** Where a stroke goes; says why not (a toast) and returns null when nowhere. */
  private target(stroke: PaintStroke): RasterTarget | 'new' | null {
    const doc = this.core.document!;
    const t = selectedRaster(doc, this.core.state.selection);
    if (!t) {
      const sel = this.core.state.selection;
      if (!stroke.erase && (sel.length === 0 || this.core.state.selection.every((id) => findLayer(doc.layers, id)?.layer.kind !== 'raster'))) return 'new';
      this.core.toast('info', sel.length > 1 ? 'Select one raster layer to paint on' : 'Select a raster layer to erase on');
      return null;
    }
    if (t.layer.locked) return this.refuse(`"${t.layer.name}" is locked`);
    if (!t.layer.visible) return this.refuse(`"${t.layer.name}" is hidden: show it to paint on it`);
    return t;
  }

  private refuse(message: string): null {
    this.core.toast('info', message);
    return null;
  }

  async commitStroke(stroke: PaintStroke): Promise<boolean> {
    try {
      return await this.paint(stroke);
    } catch (err) {
      this.core.reportError(err);
      return false;
    } finally {
      if (this.core.state.preview?.kind === 'paint') this.core.store.set({ preview: null });
    }
  }

  private async paint(stroke: PaintStroke): Promise<boolean> {
    const { document: doc, docId } = this.core;
    if (!doc || !docId || !stroke.points.length) return false;
    const t = this.target(stroke);
    if (!t) return false;
    const canvas = { x: 0, y: 0, width: doc.width, height: doc.height };
    const selection = this.core.state.pixelSelection;
    if (t === 'new') {
      const coverage = strokeCoverage(stroke, canvas);
      if (!coverage) return false;
      const placed = placeInto(null, coverage.rect);
      if (!compositeStroke(placed, { coverage, erase: false, color: stroke.brush.color, selection, lockAlpha: false })) return false;
      const put = await this.raw.put(docId, placed.image);
      const layer = newRasterLayer(this.core.newId('layer'), `Layer ${++this.layerCount}`, put, coverage.rect.x, coverage.rect.y);
      const ok = await this.layers.addLayer(layer, 'Brush Stroke');
      if (ok) this.core.select([layer.id]);
      return ok;
    }
    const { layer, abs, ox, oy } = t;
    const mask = layer.mask;
    if (this.core.state.editMask && mask) {
      const mrect = { x: mask.x + ox, y: mask.y + oy, width: mask.width, height: mask.height };
      const coverage = strokeCoverage(stroke, mrect);
      if (!coverage) return false;
      const placed = { rect: mrect, image: await this.raw.get(docId, mask.imageId) };
      placed.image = { ...placed.image, rgba: placed.image.rgba.slice() };
      const grey = stroke.erase ? 0 : luminance(stroke.brush.color);
      if (!compositeStroke(placed, { coverage, erase: false, color: [grey, grey, grey], selection, lockAlpha: true })) return false;
      const put = await this.raw.put(docId, placed.image);
      return this.core.mutate([{ op: 'update', id: layer.id, patch: { mask: { ...mask, imageId: put.imageId } } }], { label: 'Paint Layer Mask' });
    }
    const lockAlpha = !!layer.lockAlpha;
    const grows = !stroke.erase && !lockAlpha;
    const clip = grows ? rectUnion(canvas, abs) : abs;
    const coverage = strokeCoverage(stroke, clip);
    if (!coverage) return false;
    const out = grows ? rectUnion(abs, rectIntersection(coverage.rect, canvas) ?? coverage.rect) : abs;
    const placed = placeInto({ rect: abs, image: await this.raw.get(docId, layer.imageId) }, out);
    if (!compositeStroke(placed, { coverage, erase: stroke.erase, color: stroke.brush.color, selection, lockAlpha })) return false;
    const put = await this.raw.put(docId, placed.image);
    return this.core.mutate(
      [{ op: 'update', id: layer.id, patch: { imageId: put.imageId, width: put.width, height: put.height, x: out.x - ox, y: out.y - oy } }],
      { label: stroke.erase ? 'Eraser Stroke' : 'Brush Stroke' },
    );
  }

  /** The eyedropper: the colour the visible raster layers show at `p` becomes the brush colour. */
  async sampleColor(p: Point): Promise<[number, number, number] | null> {
    const { document: doc, docId } = this.core;
    if (!doc || !docId) return null;
    const x = Math.floor(p.x), y = Math.floor(p.y);
    if (x < 0 || y < 0 || x >= doc.width || y >= doc.height) return null;
    const samples: PixelSample[] = [];
    const visit = async (layers: LaminaDocument['layers'], ox: number, oy: number, opacity: number) => {
      for (const l of layers) {
        if (!l.visible) continue;
        if (l.kind === 'group') await visit(l.children, ox + l.x, oy + l.y, opacity * l.opacity);
        else if (l.kind === 'raster') {
          const lx = x - l.x - ox, ly = y - l.y - oy;
          if (lx < 0 || ly < 0 || lx >= l.width || ly >= l.height) continue;
          const img = await this.raw.get(docId, l.imageId);
          const i = (ly * img.width + lx) * 4;
          samples.push({ rgba: [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2], img.rgba[i + 3]], opacity: opacity * l.opacity });
        }
      }
    };
    try {
      await visit(doc.layers, 0, 0, 1);
    } catch (err) {
      this.core.reportError(err);
      return null;
    }
    const color = compositeSamples(samples);
    if (color) this.core.store.set({ brush: { ...this.core.state.brush, color } });
    return color;
  }
}

// Flattens a layer tree into one straight-alpha image, back to front, in float.
//
// Rules (kept in one place so exports, thumbnails and the editor agree):
// - hidden layers and hidden groups are skipped; region layers are never painted
//   (they are generation inputs); text layers paint their `imageId` cache when present;
// - a layer's pixels sit at (x, y) and are clipped to the canvas;
// - a group whose blend mode is `normal` is PASS-THROUGH: its children paint straight onto
//   the backdrop and the group's opacity then mixes that result with the untouched backdrop
//   (Photoshop's "pass through"); any other blend mode makes the group ISOLATED: children
//   composite onto a transparent buffer that is then blended with the group's mode and
//   opacity;
// - a raster layer's enabled layer mask multiplies its alpha (the mask's default colour
//   outside the mask's box); a clipping layer (`clip`) also takes its base's alpha (the
//   nearest unclipped sibling below it), Photoshop's clipping mask for normal blending;
// - blending follows W3C Compositing and Blending Level 1 (source-over with B(Cb, Cs)).
import type { BlendMode, Layer, LaminaDocument, RasterLayer } from '../../../common/document/document-schema.ts';
import { blendColor, type Rgb } from './blend-modes.ts';
import type { ImageStore } from './image-store.ts';
import type { RgbaImage } from './rgba-image.ts';

/** Premultiplied RGBA in [0, 1], canvas sized. */
interface FloatCanvas {
  width: number;
  height: number;
  data: Float32Array;
}

/** A source of straight RGBA in [0, 1]: `read(i, out)` for pixel index i of the source. */
interface Source {
  width: number;
  height: number;
  read(i: number, out: Float64Array): void;
}

export function compositeDocument(doc: LaminaDocument, store: ImageStore): RgbaImage {
  return compositeLayers(doc.layers, doc.width, doc.height, store);
}

/** Composites a front-first layer list onto a transparent canvas. */
export function compositeLayers(layers: readonly Layer[], width: number, height: number, store: ImageStore): RgbaImage {
  const canvas = createFloatCanvas(width, height);
  paintLayers(canvas, layers, store);
  return toRgbaImage(canvas);
}

function createFloatCanvas(width: number, height: number): FloatCanvas {
  return { width, height, data: new Float32Array(width * height * 4) };
}

function paintLayers(canvas: FloatCanvas, layers: readonly Layer[], store: ImageStore): void {
  for (let i = layers.length - 1; i >= 0; i--) paintLayer(canvas, layers[i], store, clipBaseOf(layers, i));
}

/** A clipping layer's base: the nearest sibling below it that does not clip (visible raster), else null. */
function clipBaseOf(layers: readonly Layer[], i: number): RasterLayer | null {
  const l = layers[i];
  if (l.kind !== 'raster' || !l.clip) return null;
  for (let j = i + 1; j < layers.length; j++) {
    const b = layers[j];
    if (b.kind === 'raster' && b.clip) continue;
    return b.kind === 'raster' && b.visible ? b : null;
  }
  return null;
}

/** The layer's own alpha (0..1) at canvas pixel (cx, cy), its mask applied. */
function layerAlphaAt(l: RasterLayer, img: RgbaImage, mask: RgbaImage | null, cx: number, cy: number): number {
  const x = cx - l.x, y = cy - l.y;
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return 0;
  return (img.data[(y * img.width + x) * 4 + 3] / 255) * maskAt(l, mask, cx, cy);
}

/** The layer mask's grey (0..1) at canvas pixel (cx, cy); 1 without an enabled mask. */
function maskAt(l: RasterLayer, mask: RgbaImage | null, cx: number, cy: number): number {
  const m = l.mask;
  if (!m || !m.enabled || !mask) return 1;
  const x = cx - m.x, y = cy - m.y;
  if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) return m.defaultColor / 255;
  return mask.data[(y * mask.width + x) * 4] / 255;
}

/** A raster layer's pixels with its enabled mask and its clipping base folded into alpha. */
function rasterSource(l: RasterLayer, store: ImageStore, base: RasterLayer | null): Source {
  const img = store.get(l.imageId);
  const plain = byteSource(img);
  const mask = l.mask?.enabled ? store.get(l.mask.imageId) : null;
  const bimg = base ? store.get(base.imageId) : null;
  const bmask = base?.mask?.enabled ? store.get(base.mask.imageId) : null;
  if (!mask && !base) return plain;
  return {
    width: img.width,
    height: img.height,
    read(i, out) {
      plain.read(i, out);
      const cx = l.x + (i % img.width), cy = l.y + Math.floor(i / img.width);
      if (mask) out[3] *= maskAt(l, mask, cx, cy);
      if (base && bimg) out[3] *= layerAlphaAt(base, bimg, bmask, cx, cy);
    },
  };
}

function paintLayer(canvas: FloatCanvas, layer: Layer, store: ImageStore, clipBase: RasterLayer | null = null): void {
  if (!layer.visible || layer.opacity <= 0) return;
  switch (layer.kind) {
    case 'region':
      return;
    case 'group':
      return paintGroup(canvas, layer.children, layer.blendMode, layer.opacity, store);
    case 'raster':
      return paintSource(canvas, rasterSource(layer, store, clipBase), layer.x, layer.y, layer.blendMode, layer.opacity);
    case 'text': // paints its rendered cache, when there is one
      if (!layer.imageId) return;
      return paintSource(canvas, byteSource(store.get(layer.imageId)), layer.x, layer.y, layer.blendMode, layer.opacity);
  }
}

function paintGroup(canvas: FloatCanvas, children: readonly Layer[], mode: BlendMode, opacity: number, store: ImageStore): void {
  if (mode === 'normal') {
    if (opacity >= 1) return paintLayers(canvas, children, store);
    const painted: FloatCanvas = { ...canvas, data: canvas.data.slice() };
    paintLayers(painted, children, store);
    mix(canvas, painted, opacity);
    return;
  }
  const isolated = createFloatCanvas(canvas.width, canvas.height);
  paintLayers(isolated, children, store);
  paintSource(canvas, floatSource(isolated), 0, 0, mode, opacity);
}

/** canvas = canvas + (painted - canvas) * t, on premultiplied values. */
function mix(canvas: FloatCanvas, painted: FloatCanvas, t: number): void {
  const a = canvas.data;
  const b = painted.data;
  for (let i = 0; i < a.length; i++) a[i] += (b[i] - a[i]) * t;
}

function byteSource(img: RgbaImage): Source {
  const d = img.data;
  return {
    width: img.width,
    height: img.height,
    read(i, out) {
      const o = i * 4;
      out[0] = d[o] / 255;
      out[1] = d[o + 1] / 255;
      out[2] = d[o + 2] / 255;
      out[3] = d[o + 3] / 255;
    },
  };
}

function floatSource(canvas: FloatCanvas): Source {
  const d = canvas.data;
  return {
    width: canvas.width,
    height: canvas.height,
    read(i, out) {
      const o = i * 4;
      const a = d[o + 3];
      out[3] = a;
      for (let c = 0; c < 3; c++) out[c] = a > 0 ? d[o + c] / a : 0;
    },
  };
}

const src = new Float64Array(4);
const cb: Rgb = [0, 0, 0];
const cs: Rgb = [0, 0, 0];
const blended: Rgb = [0, 0, 0];

/** Source-over with blend mode `mode` of `source` placed at (x, y), scaled by `opacity`. */
function paintSource(canvas: FloatCanvas, source: Source, x: number, y: number, mode: BlendMode, opacity: number): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(canvas.width, x + source.width);
  const y1 = Math.min(canvas.height, y + source.height);
  const d = canvas.data;
  for (let cy = y0; cy < y1; cy++) {
    for (let cx = x0; cx < x1; cx++) {
      source.read((cy - y) * source.width + (cx - x), src);
      const as = src[3] * opacity;
      if (as <= 0) continue;
      const o = (cy * canvas.width + cx) * 4;
      const ab = d[o + 3];
      cs[0] = src[0];
      cs[1] = src[1];
      cs[2] = src[2];
      if (ab > 0 && mode !== 'normal') {
        for (let c = 0; c < 3; c++) cb[c] = d[o + c] / ab;
        blendColor(mode, cb, cs, blended);
        // Cs' = (1 - ab) * Cs + ab * B(Cb, Cs)
        for (let c = 0; c < 3; c++) cs[c] = (1 - ab) * cs[c] + ab * blended[c];
      }
      for (let c = 0; c < 3; c++) d[o + c] = as * cs[c] + (1 - as) * d[o + c];
      d[o + 3] = as + ab * (1 - as);
    }
  }
}

function toRgbaImage(canvas: FloatCanvas): RgbaImage {
  const n = canvas.width * canvas.height;
  const out = new Uint8Array(n * 4);
  const d = canvas.data;
  for (let i = 0; i < n * 4; i += 4) {
    const a = d[i + 3];
    if (a <= 0) continue;
    for (let c = 0; c < 3; c++) out[i + c] = toByte(d[i + c] / a);
    out[i + 3] = toByte(a);
  }
  return { width: canvas.width, height: canvas.height, data: out };
}

const toByte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);

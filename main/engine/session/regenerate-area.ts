// "Regenerate this area": the document as it looks now (visible layers flattened) becomes
// a generation's init image with the area as its mask; the result is cropped back to the
// area so it lands as a layer holding only what was regenerated (everything outside the
// area stays as the layers below show it).
import type { InitImage } from '../../../common/contract/generation-spec.ts';
import type { ResultLayer } from '../../../common/contract/task-results.ts';
import type { LaminaDocument } from '../../../common/document/document-schema.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { compositeDocument } from '../imaging/composite.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import type { RawImage } from '../../../common/contract/raw-image.ts';

type Box = [number, number, number, number];

/** The box clipped to the canvas; an error when nothing of it is on the canvas. */
function clip(doc: Pick<LaminaDocument, 'width' | 'height'>, [x, y, w, h]: Box): Box {
  const x0 = Math.max(0, x), y0 = Math.max(0, y), x1 = Math.min(doc.width, x + w), y1 = Math.min(doc.height, y + h);
  if (x1 <= x0 || y1 <= y0) throw new LaminaError('bad_request', `the area [${x}, ${y}, ${w}, ${h}] is outside the ${doc.width}x${doc.height} canvas`);
  return [x0, y0, x1 - x0, y1 - y0];
}

/** The init image and mask of a regeneration: the box, or (with `selection`, canvas-sized,
 * red channel) the selected pixels inside the box. */
export function regenerateAreaInit(doc: LaminaDocument, store: ImageStore, box: Box, strength: number, selection?: RawImage): { init: InitImage; box: Box } {
  const area = clip(doc, box);
  if (selection && (selection.width !== doc.width || selection.height !== doc.height)) {
    throw new LaminaError('bad_request', `the selection mask is ${selection.width}x${selection.height}; the canvas is ${doc.width}x${doc.height}`);
  }
  const flat = compositeDocument(doc, store);
  const mask = new Uint8Array(doc.width * doc.height * 4);
  const [ax, ay, aw, ah] = area;
  for (let y = 0; y < doc.height; y++) for (let x = 0; x < doc.width; x++) {
    const i = (y * doc.width + x) * 4;
    const v = x >= ax && x < ax + aw && y >= ay && y < ay + ah ? (selection ? selection.rgba[i] : 255) : 0;
    mask[i] = mask[i + 1] = mask[i + 2] = v;
    mask[i + 3] = 255;
  }
  return { init: { image: { width: flat.width, height: flat.height, rgba: flat.data }, mask: { width: doc.width, height: doc.height, rgba: mask }, strength }, box: area };
}

/** A full-canvas result layer cut down to `box` (placed there). */
export function cropResultLayer(layer: ResultLayer, [bx, by, bw, bh]: Box): ResultLayer {
  const rgba = new Uint8Array(bw * bh * 4);
  for (let y = 0; y < bh; y++) {
    const src = ((by + y - layer.y) * layer.width + (bx - layer.x)) * 4;
    rgba.set(layer.rgba.subarray(src, src + bw * 4), y * bw * 4);
  }
  return { ...layer, x: bx, y: by, width: bw, height: bh, rgba };
}

/** The result layer (already cut to the box) keeps only the selected pixels: alpha times the selection. */
export function maskResultLayer(layer: ResultLayer, selection: RawImage): ResultLayer {
  const rgba = layer.rgba.slice();
  for (let y = 0; y < layer.height; y++) for (let x = 0; x < layer.width; x++) {
    const cx = layer.x + x, cy = layer.y + y;
    const m = cx >= 0 && cy >= 0 && cx < selection.width && cy < selection.height ? selection.rgba[(cy * selection.width + cx) * 4] : 0;
    const i = (y * layer.width + x) * 4 + 3;
    rgba[i] = Math.round((rgba[i] * m) / 255);
  }
  return { ...layer, rgba };
}

/** "Replace the selection's pixels": the target raster layer's pixels (at `at` on the canvas)
 * give way to the (masked) result where it is selected; the layer grows to hold the box.
 * Returns the new pixels and their canvas box. */
export function replaceSelectedPixels(target: { x: number; y: number; width: number; height: number; rgba: Uint8Array }, result: ResultLayer, selection: RawImage): { x: number; y: number; width: number; height: number; rgba: Uint8Array } {
  const x0 = Math.min(target.x, result.x), y0 = Math.min(target.y, result.y);
  const x1 = Math.max(target.x + target.width, result.x + result.width), y1 = Math.max(target.y + target.height, result.y + result.height);
  const w = x1 - x0, h = y1 - y0;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < target.height; y++) {
    const from = y * target.width * 4;
    rgba.set(target.rgba.subarray(from, from + target.width * 4), ((target.y - y0 + y) * w + (target.x - x0)) * 4);
  }
  for (let y = 0; y < result.height; y++) for (let x = 0; x < result.width; x++) {
    const cx = result.x + x, cy = result.y + y;
    const m = cx >= 0 && cy >= 0 && cx < selection.width && cy < selection.height ? selection.rgba[(cy * selection.width + cx) * 4] / 255 : 0;
    if (m <= 0) continue;
    const s = (y * result.width + x) * 4, d = ((cy - y0) * w + (cx - x0)) * 4;
    for (let c = 0; c < 4; c++) rgba[d + c] = Math.round(rgba[d + c] + (result.rgba[s + c] - rgba[d + c]) * m);
  }
  return { x: x0, y: y0, width: w, height: h, rgba };
}

/** The summed offsets of the groups holding layer `id` (canvas = layer + offset). */
export function groupOffset(layers: LaminaDocument['layers'], id: string, ox = 0, oy = 0): [number, number] {
  for (const l of layers) {
    if (l.id === id) return [ox, oy];
    if (l.kind === 'group') {
      const found = groupOffset(l.children, id, ox + l.x, oy + l.y);
      if (found[0] !== -Infinity) return found;
    }
  }
  return [-Infinity, -Infinity];
}

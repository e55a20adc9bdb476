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

type Box = [number, number, number, number];

/** The box clipped to the canvas; an error when nothing of it is on the canvas. */
function clip(doc: Pick<LaminaDocument, 'width' | 'height'>, [x, y, w, h]: Box): Box {
  const x0 = Math.max(0, x), y0 = Math.max(0, y), x1 = Math.min(doc.width, x + w), y1 = Math.min(doc.height, y + h);
  if (x1 <= x0 || y1 <= y0) throw new LaminaError('bad_request', `the area [${x}, ${y}, ${w}, ${h}] is outside the ${doc.width}x${doc.height} canvas`);
  return [x0, y0, x1 - x0, y1 - y0];
}

export function regenerateAreaInit(doc: LaminaDocument, store: ImageStore, box: Box, strength: number): { init: InitImage; box: Box } {
  const area = clip(doc, box);
  const flat = compositeDocument(doc, store);
  const mask = new Uint8Array(doc.width * doc.height * 4);
  const [ax, ay, aw, ah] = area;
  for (let y = 0; y < doc.height; y++) for (let x = 0; x < doc.width; x++) {
    const v = x >= ax && x < ax + aw && y >= ay && y < ay + ah ? 255 : 0;
    const i = (y * doc.width + x) * 4;
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

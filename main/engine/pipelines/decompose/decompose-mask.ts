// The object mask of a decomposition: from a mask picture or a box, checked against the
// image. One byte per pixel, 1 = the object (what is taken out of the background).
// Errors say what was wrong and what to do; nothing here reads or writes files.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';

export interface ObjectMask {
  width: number;
  height: number;
  /** width x height, 1 = object */
  data: Uint8Array;
}

/** A mask picture -> mask. A picture with any transparent pixel is read by its alpha
 * (opaque = object), an opaque one by its brightness (white = object); threshold half way. */
export function maskFromPicture(picture: RgbaImage, image: { width: number; height: number }): ObjectMask {
  if (picture.width !== image.width || picture.height !== image.height) {
    throw new LaminaError('bad_request', `the mask is ${picture.width}x${picture.height} px but the image is ${image.width}x${image.height} px: give a mask of the image's size`);
  }
  const n = picture.width * picture.height;
  const px = picture.data;
  let byAlpha = false;
  for (let p = 0; p < n; p++) if (px[p * 4 + 3] < 255) { byAlpha = true; break; }
  const data = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const v = byAlpha ? px[p * 4 + 3] : 0.299 * px[p * 4] + 0.587 * px[p * 4 + 1] + 0.114 * px[p * 4 + 2];
    data[p] = v >= 128 ? 1 : 0;
  }
  return checkMask({ width: picture.width, height: picture.height, data });
}

/** A box [x, y, width, height] in image pixels -> mask (the part inside the image). */
export function maskFromBox(box: readonly [number, number, number, number], image: { width: number; height: number }): ObjectMask {
  const [bx, by, bw, bh] = box;
  if (![bx, by, bw, bh].every(Number.isFinite) || bw <= 0 || bh <= 0) throw new LaminaError('bad_request', `the box ${box.join(',')} needs x,y,width,height with a positive width and height`);
  const x0 = Math.max(0, Math.round(bx));
  const y0 = Math.max(0, Math.round(by));
  const x1 = Math.min(image.width, Math.round(bx + bw));
  const y1 = Math.min(image.height, Math.round(by + bh));
  if (x1 <= x0 || y1 <= y0) throw new LaminaError('bad_request', `the box ${box.join(',')} lies outside the ${image.width}x${image.height} px image`);
  const data = new Uint8Array(image.width * image.height);
  for (let y = y0; y < y1; y++) data.fill(1, y * image.width + x0, y * image.width + x1);
  return checkMask({ width: image.width, height: image.height, data });
}

/** An empty mask or one over the whole image is an error (nothing to take out / nothing
 * left to rebuild the background from). */
export function checkMask(mask: ObjectMask): ObjectMask {
  let on = 0;
  for (const v of mask.data) on += v ? 1 : 0;
  if (on === 0) throw new LaminaError('bad_request', 'the mask is empty: mark the object to take out (white on black, opaque on transparent, or a box)');
  if (on === mask.data.length) throw new LaminaError('bad_request', 'the mask covers the whole image: nothing is left to rebuild the background from; mark only the object');
  return mask;
}

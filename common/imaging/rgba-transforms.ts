// Lossless pixel transforms of raw RGBA (common/contract/raw-image.ts): quarter-turn
// rotations, mirror flips and crop-or-pad to a rectangle (areas outside the source come
// back transparent). Pure: data in, data out; the editor's rotate, flip, crop and canvas
// size commands use them, the engine could too.
import type { RawImage } from '../contract/raw-image.ts';

export type QuarterTurn = 90 | 180 | 270;

/** `img` rotated clockwise by `turn` degrees. */
export function rotateRgba(img: RawImage, turn: QuarterTurn): RawImage {
  const { width: w, height: h, rgba } = img;
  const out = turn === 180 ? { width: w, height: h } : { width: h, height: w };
  const dst = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // where source (x, y) lands
      const [dx, dy] = turn === 90 ? [h - 1 - y, x] : turn === 180 ? [w - 1 - x, h - 1 - y] : [y, w - 1 - x];
      const s = (y * w + x) * 4, d = (dy * out.width + dx) * 4;
      dst[d] = rgba[s]; dst[d + 1] = rgba[s + 1]; dst[d + 2] = rgba[s + 2]; dst[d + 3] = rgba[s + 3];
    }
  }
  return { ...out, rgba: dst };
}

/** `img` mirrored: 'horizontal' swaps left and right, 'vertical' top and bottom. */
export function flipRgba(img: RawImage, axis: 'horizontal' | 'vertical'): RawImage {
  const { width: w, height: h, rgba } = img;
  const dst = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = axis === 'vertical' ? h - 1 - y : y;
    for (let x = 0; x < w; x++) {
      const sx = axis === 'horizontal' ? w - 1 - x : x;
      dst.set(rgba.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, rgba: dst };
}

/** The part of `img` under `rect` (in the image's pixels; may reach past its edges, which
 * come back transparent): a crop, a canvas enlargement, or both. */
export function cropRgba(img: RawImage, rect: { x: number; y: number; width: number; height: number }): RawImage {
  const { width: w, height: h, rgba } = img;
  const dst = new Uint8Array(rect.width * rect.height * 4);
  const x0 = Math.max(0, rect.x), x1 = Math.min(w, rect.x + rect.width);
  if (x1 > x0) {
    for (let y = Math.max(0, rect.y); y < Math.min(h, rect.y + rect.height); y++) {
      dst.set(rgba.subarray((y * w + x0) * 4, (y * w + x1) * 4), ((y - rect.y) * rect.width + (x0 - rect.x)) * 4);
    }
  }
  return { width: rect.width, height: rect.height, rgba: dst };
}

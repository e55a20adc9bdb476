// Layer masks as pixels: a grey RGBA image (white = shown, black = hidden; alpha 255)
// over a box, `defaultColor` outside it. Applying a mask multiplies the layer's alpha
// by it; the compositors do the same when they draw a layer with an enabled mask.
import type { RawImage } from '../../../common/contract/raw-image.ts';
import type { Rect } from '../geometry.ts';
import type { PlacedPixels } from './composite-stroke.ts';
import type { SelectionMask } from './selection-mask.ts';

/** Rec. 601 luma of an RGB colour, 0-255: the grey a colour paints on a mask. */
export function luminance([r, g, b]: readonly number[]): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

/** A mask image over `rect` filled with one grey (255 reveals all, 0 hides all). */
export function filledMask(rect: Rect, grey: number): RawImage {
  const rgba = new Uint8Array(rect.width * rect.height * 4);
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i] = rgba[i + 1] = rgba[i + 2] = grey;
    rgba[i + 3] = 255;
  }
  return { width: rect.width, height: rect.height, rgba };
}

/** A mask over `rect` from a pixel selection (selected = shown): "Add mask from selection". */
export function maskFromSelection(rect: Rect, sel: SelectionMask): RawImage {
  const img = filledMask(rect, 0);
  for (let y = 0; y < rect.height; y++) for (let x = 0; x < rect.width; x++) {
    const cx = rect.x + x, cy = rect.y + y;
    const v = cx >= 0 && cy >= 0 && cx < sel.width && cy < sel.height ? sel.data[cy * sel.width + cx] : 0;
    const i = (y * rect.width + x) * 4;
    img.rgba[i] = img.rgba[i + 1] = img.rgba[i + 2] = v;
  }
  return img;
}

/** The layer's pixels with the mask multiplied into their alpha (a new image; the layer's box). */
export function applyMask(layer: PlacedPixels, mask: PlacedPixels, defaultColor: number): RawImage {
  const { rect: l, image } = layer;
  const m = mask.rect;
  const rgba = image.rgba.slice();
  for (let y = 0; y < l.height; y++) {
    const my = l.y + y - m.y;
    for (let x = 0; x < l.width; x++) {
      const mx = l.x + x - m.x;
      const grey = mx >= 0 && my >= 0 && mx < m.width && my < m.height ? mask.image.rgba[(my * m.width + mx) * 4] : defaultColor;
      const i = (y * l.width + x) * 4 + 3;
      rgba[i] = Math.round((rgba[i] * grey) / 255);
    }
  }
  return { width: l.width, height: l.height, rgba };
}

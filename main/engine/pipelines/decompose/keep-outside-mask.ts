// The model method decomposes at the pack's native size and is resampled back to the
// image's size, so far from the object its background is a blurred, VAE-rebuilt copy of
// the image. This kernel keeps the original pixels there: outside the mask grown by
// `radius` px (room for the object's shadow, which the model moves into the foreground),
// the background is the image itself and the foreground is transparent, over a linear
// `feather` px band so no seam shows. Inside the grown mask the model's answer stands.
// Pure: data in, data out.
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import type { Decomposition } from './decompose-inpaint.ts';
import type { ObjectMask } from './decompose-mask.ts';

const DIAG = Math.SQRT2;

/** Chamfer distance (steps 1 and sqrt 2, two passes) of every pixel to the nearest mask pixel. */
export function distanceToMask(mask: ObjectMask): Float32Array {
  const { width: w, height: h, data } = mask;
  const d = new Float32Array(w * h);
  for (let p = 0; p < d.length; p++) d[p] = data[p] ? 0 : Infinity;
  const relax = (p: number, q: number, step: number) => {
    if (d[q] + step < d[p]) d[p] = d[q] + step;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (x > 0) relax(p, p - 1, 1);
      if (y > 0) {
        relax(p, p - w, 1);
        if (x > 0) relax(p, p - w - 1, DIAG);
        if (x < w - 1) relax(p, p - w + 1, DIAG);
      }
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const p = y * w + x;
      if (x < w - 1) relax(p, p + 1, 1);
      if (y < h - 1) {
        relax(p, p + w, 1);
        if (x < w - 1) relax(p, p + w + 1, DIAG);
        if (x > 0) relax(p, p + w - 1, DIAG);
      }
    }
  }
  return d;
}

/** How far from the mask the model's answer is kept, and the blend band after it, for an
 * image of this size decomposed on a lw x lh latent grid: one latent cell (what the mask
 * condition resolves) and at least 6 % of the longer side (the world's shadows sit within
 * about 5 %); the band is half a cell. */
export function keepGeometry(width: number, height: number, lw: number, lh: number): { radius: number; feather: number } {
  const cell = Math.max(width / lw, height / lh);
  return { radius: Math.ceil(Math.max(cell, 0.06 * Math.max(width, height))), feather: Math.max(2, Math.round(cell / 2)) };
}

/** `out` (the model's decomposition at the image's size) with the original image kept
 * outside the grown mask; new images, the inputs untouched. */
export function keepOriginalOutsideMask(image: RgbaImage, mask: ObjectMask, out: Decomposition, radius: number, feather: number): Decomposition {
  const dist = distanceToMask(mask);
  const bg = new Uint8Array(out.background.data);
  const fg = new Uint8Array(out.foreground.data);
  for (let p = 0; p < dist.length; p++) {
    const keep = Math.min(1, Math.max(0, (dist[p] - radius) / feather)); // 0: the model's, 1: the image's
    if (keep === 0) continue;
    const i = p * 4;
    for (let c = 0; c < 4; c++) bg[i + c] = Math.round(keep * image.data[i + c] + (1 - keep) * bg[i + c]);
    if (keep === 1) fg.fill(0, i, i + 4);
    else fg[i + 3] = Math.round((1 - keep) * fg[i + 3]);
  }
  return { background: { ...out.background, data: bg }, foreground: { ...out.foreground, data: fg } };
}

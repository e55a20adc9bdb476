// The model's layers are re-drawn through the VAE: soft copies of the picture. This
// kernel keeps from them only what the picture cannot say, and solves the rest from the
// picture itself so that foreground over background recomposes it:
// - inside the mask (the marked object is there): opaque, the picture's own colour; the
//   model's background is what is behind it;
// - outside it, a pixel the model's background shows lighter by the same ratio in every
//   channel (a darkening that is neutral: a shadow, SHADOW_MIN_DARKENING or more, channels
//   within SHADOW_MAX_SPREAD) is the object's shadow: black at alpha 1 - ratio, over the
//   model's lighter background;
// - anywhere else the background is the picture and the foreground is empty.
// The same step is models/recipes/decomp.py `finish` (what decomp_eval measures). Pure.
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import type { Decomposition } from './decompose-inpaint.ts';
import type { ObjectMask } from './decompose-mask.ts';

export const SHADOW_MIN_DARKENING = 0.04;
export const SHADOW_MAX_SPREAD = 0.12;

export function unmixForeground(image: RgbaImage, mask: ObjectMask, out: Decomposition): Decomposition {
  const n = image.width * image.height;
  const fg = new Uint8Array(n * 4);
  const bg = new Uint8Array(out.background.data);
  const im = image.data;
  for (let p = 0; p < n; p++) {
    const i = p * 4;
    if (mask.data[p]) {
      fg.set(im.subarray(i, i + 3), i);
      fg[i + 3] = 255;
      continue;
    }
    let lo = Infinity, hi = -Infinity, sum = 0;
    for (let c = 0; c < 3; c++) {
      const r = im[i + c] / Math.max(1, bg[i + c]);
      lo = Math.min(lo, r); hi = Math.max(hi, r); sum += r;
    }
    const a = 1 - sum / 3;
    if (hi <= 1 - SHADOW_MIN_DARKENING && hi - lo <= SHADOW_MAX_SPREAD && a > 0) {
      fg[i + 3] = Math.round(Math.min(1, a) * 255); // black: the colour stays 0
    } else {
      bg.set(im.subarray(i, i + 3), i);
    }
  }
  return { background: { ...out.background, data: bg }, foreground: { ...out.foreground, data: fg } };
}

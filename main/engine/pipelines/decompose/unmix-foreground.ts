// The model's foreground is re-drawn through the VAE, so its colours are soft copies of
// the object's. This kernel takes the model's answer for *where* the object and its
// shadow are (the alpha) and the background, and solves the colour from the image itself:
// inside the mask the alpha is at least opaque (the marked object is there), and the
// premultiplied colour is image - (1 - alpha) * background, clamped to [0, alpha], so the
// foreground over the background recomposes the image wherever the clamp is not needed.
// The same step is models/recipes/decomp.py `finish` (what decomp_eval measures). Pure.
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import type { Decomposition } from './decompose-inpaint.ts';
import type { ObjectMask } from './decompose-mask.ts';

export function unmixForeground(image: RgbaImage, mask: ObjectMask, out: Decomposition): Decomposition {
  const n = image.width * image.height;
  const fg = new Uint8Array(n * 4);
  const bg = out.background.data;
  for (let p = 0; p < n; p++) {
    const i = p * 4;
    const a = mask.data[p] ? 1 : out.foreground.data[i + 3] / 255;
    if (a <= 0) continue;
    for (let c = 0; c < 3; c++) {
      const premul = Math.min(a, Math.max(0, (image.data[i + c] - (1 - a) * bg[i + c]) / 255));
      fg[i + c] = Math.round((premul / a) * 255);
    }
    fg[i + 3] = Math.round(a * 255);
  }
  return { background: out.background, foreground: { ...out.foreground, data: fg } };
}

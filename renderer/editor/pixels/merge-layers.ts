// Layers flattened into one image in typed arrays (Merge Visible): source-over with each
// layer's opacity, its enabled mask and, for a clipping layer, its base's alpha.
import type { RawImage } from '../../../common/contract/raw-image.ts';
import type { Rect } from '../geometry.ts';
import type { PlacedPixels } from './composite-stroke.ts';

export interface MergeInput {
  pixels: PlacedPixels;
  opacity: number;
  mask: (PlacedPixels & { defaultColor: number }) | null;
  /** shown only where the nearest unclipped layer below has alpha */
  clip: boolean;
}

function alphaAt(p: PlacedPixels, mask: MergeInput['mask'], cx: number, cy: number): number {
  const x = cx - p.rect.x, y = cy - p.rect.y;
  if (x < 0 || y < 0 || x >= p.rect.width || y >= p.rect.height) return 0;
  let a = p.image.rgba[(y * p.rect.width + x) * 4 + 3] / 255;
  if (mask) {
    const mx = cx - mask.rect.x, my = cy - mask.rect.y;
    a *= (mx >= 0 && my >= 0 && mx < mask.rect.width && my < mask.rect.height ? mask.image.rgba[(my * mask.rect.width + mx) * 4] : mask.defaultColor) / 255;
  }
  return a;
}

/** `frontFirst` merged over transparency into `box`. */
export function mergeNormal(frontFirst: readonly MergeInput[], box: Rect): RawImage {
  const out = new Float32Array(box.width * box.height * 4); // premultiplied
  for (let k = frontFirst.length - 1; k >= 0; k--) {
    const l = frontFirst[k];
    let base: MergeInput | null = null;
    if (l.clip) for (let j = k + 1; j < frontFirst.length; j++) if (!frontFirst[j].clip) { base = frontFirst[j]; break; }
    const r = l.pixels.rect;
    for (let y = Math.max(r.y, box.y); y < Math.min(r.y + r.height, box.y + box.height); y++) {
      for (let x = Math.max(r.x, box.x); x < Math.min(r.x + r.width, box.x + box.width); x++) {
        let a = alphaAt(l.pixels, l.mask, x, y) * l.opacity;
        if (base) a *= alphaAt(base.pixels, base.mask, x, y);
        if (a <= 0) continue;
        const s = ((y - r.y) * r.width + (x - r.x)) * 4, d = ((y - box.y) * box.width + (x - box.x)) * 4;
        for (let c = 0; c < 3; c++) out[d + c] = (l.pixels.image.rgba[s + c] / 255) * a + out[d + c] * (1 - a);
        out[d + 3] = a + out[d + 3] * (1 - a);
      }
    }
  }
  const rgba = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i += 4) {
    const a = out[i + 3];
    rgba[i + 3] = Math.round(a * 255);
    for (let c = 0; c < 3; c++) rgba[i + c] = a > 0 ? Math.round((out[i + c] / a) * 255) : 0;
  }
  return { width: box.width, height: box.height, rgba };
}

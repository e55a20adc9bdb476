// Laying a stroke's coverage onto a raster layer's pixels (straight-alpha RGBA): the
// brush composites its colour source-over, the eraser takes alpha away; a pixel
// selection scales the coverage, lock transparency keeps every pixel's alpha.
import type { RawImage } from '../../../common/contract/raw-image.ts';
import type { Rect } from '../geometry.ts';
import type { Coverage } from './stroke-coverage.ts';
import type { SelectionMask } from './selection-mask.ts';

export interface PlacedPixels {
  /** where the pixels sit on the canvas */
  rect: Rect;
  image: RawImage;
}

export interface StrokeComposite {
  coverage: Coverage;
  erase: boolean;
  color: [number, number, number];
  /** limits the stroke (canvas coordinates); null = no selection */
  selection: SelectionMask | null;
  lockAlpha: boolean;
}

/** The layer's pixels copied into a (larger or equal) box, transparent elsewhere. */
export function placeInto(src: PlacedPixels | null, rect: Rect): PlacedPixels {
  const rgba = new Uint8Array(rect.width * rect.height * 4);
  if (src) {
    const { rect: s, image } = src;
    const x0 = Math.max(rect.x, s.x), x1 = Math.min(rect.x + rect.width, s.x + s.width);
    const y0 = Math.max(rect.y, s.y), y1 = Math.min(rect.y + rect.height, s.y + s.height);
    if (x1 > x0) for (let y = y0; y < y1; y++) {
      const from = ((y - s.y) * s.width + (x0 - s.x)) * 4;
      rgba.set(image.rgba.subarray(from, from + (x1 - x0) * 4), ((y - rect.y) * rect.width + (x0 - rect.x)) * 4);
    }
  }
  return { rect, image: { width: rect.width, height: rect.height, rgba } };
}

/** Composites the stroke into `target` in place; returns whether any pixel changed. */
export function compositeStroke(target: PlacedPixels, s: StrokeComposite): boolean {
  const { rect: t, image } = target;
  const px = image.rgba;
  const c = s.coverage;
  const x0 = Math.max(t.x, c.rect.x), x1 = Math.min(t.x + t.width, c.rect.x + c.rect.width);
  const y0 = Math.max(t.y, c.rect.y), y1 = Math.min(t.y + t.height, c.rect.y + c.rect.height);
  const sel = s.selection;
  const [r, g, b] = s.color;
  let changed = false;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      let a = c.data[(y - c.rect.y) * c.rect.width + (x - c.rect.x)];
      if (sel) a *= x >= 0 && y >= 0 && x < sel.width && y < sel.height ? sel.data[y * sel.width + x] / 255 : 0;
      if (a <= 0) continue;
      const i = ((y - t.y) * t.width + (x - t.x)) * 4;
      const da = px[i + 3] / 255;
      if (s.erase) {
        if (s.lockAlpha || da === 0) continue;
        px[i + 3] = Math.round(da * (1 - a) * 255);
      } else if (s.lockAlpha) {
        if (da === 0) continue;
        px[i] = Math.round(px[i] + (r - px[i]) * a);
        px[i + 1] = Math.round(px[i + 1] + (g - px[i + 1]) * a);
        px[i + 2] = Math.round(px[i + 2] + (b - px[i + 2]) * a);
      } else {
        const oa = a + da * (1 - a);
        const k = (da * (1 - a)) / oa;
        px[i] = Math.round(r * (a / oa) + px[i] * k);
        px[i + 1] = Math.round(g * (a / oa) + px[i + 1] * k);
        px[i + 2] = Math.round(b * (a / oa) + px[i + 2] * k);
        px[i + 3] = Math.round(oa * 255);
      }
      changed = true;
    }
  }
  return changed;
}

/** Clears the selected pixels (partly selected ones partly): Delete with a selection. */
export function clearSelected(target: PlacedPixels, sel: SelectionMask): boolean {
  const { rect: t, image } = target;
  let changed = false;
  for (let y = Math.max(0, t.y); y < Math.min(sel.height, t.y + t.height); y++) {
    for (let x = Math.max(0, t.x); x < Math.min(sel.width, t.x + t.width); x++) {
      const m = sel.data[y * sel.width + x];
      if (!m) continue;
      const i = ((y - t.y) * t.width + (x - t.x)) * 4 + 3;
      const before = image.rgba[i];
      image.rgba[i] = Math.round((before * (255 - m)) / 255);
      if (image.rgba[i] !== before) changed = true;
    }
  }
  return changed;
}

/** The selected pixels of a layer cut to the selection's box (alpha scaled by the selection); null when none. */
export function copySelected(src: PlacedPixels, sel: SelectionMask, box: Rect): PlacedPixels | null {
  const out = placeInto(src, box);
  let any = false;
  const px = out.image.rgba;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const cx = box.x + x, cy = box.y + y;
      const m = cx >= 0 && cy >= 0 && cx < sel.width && cy < sel.height ? sel.data[cy * sel.width + cx] : 0;
      const i = (y * box.width + x) * 4 + 3;
      px[i] = Math.round((px[i] * m) / 255);
      if (px[i]) any = true;
    }
  }
  return any ? out : null;
}

/** The smallest box (inside the image) holding a pixel with alpha; null when all transparent. */
export function opaqueBounds(p: PlacedPixels): Rect | null {
  const { width: w, height: h, rgba } = p.image;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (!rgba[(y * w + x) * 4 + 3]) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    y1 = y;
  }
  return x1 < 0 ? null : { x: p.rect.x + x0, y: p.rect.y + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

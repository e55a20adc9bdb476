// Translucent objects: the world draws some objects at 55-80 % opacity, so their pixels are
// a palette colour mixed with whatever lies behind them: they match no palette colour, or
// only loosely a wrong one. This explains such pixels as "palette colour c at opacity a
// over the local background B": for every region of unsure pixels (no label, or a label
// farther than `sure` from its colour), the background candidates are the commonest
// colours in a thin ring around it, and a pixel p takes the label of the (c, B) pair whose
// line B + a (c - B) passes closest to p, with a in the world's opacity range, when that
// explains p better than its own label does. Colours seen along three or more image
// borders belong to the background (pattern tints look just like translucent overlays)
// and are never relabelled.
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { connectedComponents } from './components.ts';

export interface UnmixOptions {
  /** accepted opacity range of the explanation */
  minAlpha: number;
  maxAlpha: number;
  /** max RGB distance between p and its explanation */
  tolerance: number;
  /** ring width (pixels) around a region that samples its background */
  ring: number;
  /** regions smaller than this (pixels) are left alone */
  minArea: number;
  /** a labelled pixel closer than this (RGB distance) to its colour is sure of its label */
  sure: number;
}

export const DEFAULT_UNMIX: UnmixOptions = { minAlpha: 0.45, maxAlpha: 0.92, tolerance: 24, ring: 2, minArea: 12, sure: 30 };

/** Relabels, in place, unsure pixels that a translucent `colours[k]` over their region's
 * background explains better (`distances`: each pixel's squared distance to its label's
 * colour, updated too). */
export function unmixTranslucent(img: RgbaImage, labels: Int16Array, distances: Float32Array, colours: readonly (readonly number[])[], o: UnmixOptions = DEFAULT_UNMIX): void {
  const { width, height, data } = img;
  const backdrop = borderColours(img);
  const sure2 = o.sure ** 2;
  const unknown = Int16Array.from(labels, (l, p) => ((l < 0 || distances[p] > sure2) && !backdrop.has(colourBin(data, p)) ? 0 : -1));
  for (const region of connectedComponents(unknown, width, height)) {
    if (region.area < o.minArea || region.area > 0.5 * width * height) continue;
    // every (background B, colour k) line B + a (c - B) this region's pixels may lie on
    const lines = ringColours(img, region.pixels, o.ring).flatMap((B) => colours.map((c, k) => {
      const d = [c[0] - B[0], c[1] - B[1], c[2] - B[2]];
      return { k, B, d, len2: d[0] ** 2 + d[1] ** 2 + d[2] ** 2 };
    })).filter((l) => l.len2 >= 40 ** 2); // c hardly differs from the background: no evidence
    for (const p of region.pixels) {
      const r = data[p * 4], g = data[p * 4 + 1], b = data[p * 4 + 2];
      let best = -1;
      let bestD = Math.min(o.tolerance ** 2, labels[p] < 0 ? Infinity : distances[p] / 2);
      for (const { k, B, d, len2 } of lines) {
        const a = ((r - B[0]) * d[0] + (g - B[1]) * d[1] + (b - B[2]) * d[2]) / len2;
        if (a < o.minAlpha || a > o.maxAlpha) continue;
        const r2 = (r - B[0] - a * d[0]) ** 2 + (g - B[1] - a * d[1]) ** 2 + (b - B[2] - a * d[2]) ** 2;
        if (r2 < bestD) [best, bestD] = [k, r2];
      }
      if (best >= 0) {
        labels[p] = best;
        distances[p] = bestD;
      }
    }
  }
}

const colourBin = (data: Uint8Array, p: number) => ((data[p * 4] >> 4) << 8) | ((data[p * 4 + 1] >> 4) << 4) | (data[p * 4 + 2] >> 4);

/** Colour bins (16 levels per channel) that occur along at least three of the image's
 * four borders: backgrounds and their patterns, never a single object. */
function borderColours(img: RgbaImage): Set<number> {
  const { width: w, height: h, data } = img;
  const sides = [
    Array.from({ length: w }, (_, x) => x),
    Array.from({ length: w }, (_, x) => (h - 1) * w + x),
    Array.from({ length: h }, (_, y) => y * w),
    Array.from({ length: h }, (_, y) => y * w + w - 1),
  ];
  const count = new Map<number, number>();
  for (const side of sides) for (const bin of new Set(side.map((p) => colourBin(data, p)))) count.set(bin, (count.get(bin) ?? 0) + 1);
  return new Set([...count].filter(([, n]) => n >= 3).map(([bin]) => bin));
}

/** Up to three commonest colours (quantized to 16 levels, then averaged) of the pixels
 * within `ring` pixels outside a region, each covering at least 15 % of the ring. */
function ringColours(img: RgbaImage, pixels: Int32Array, ring: number): number[][] {
  const { width, height, data } = img;
  const inside = new Set<number>(pixels);
  const bins = new Map<number, { n: number; sum: [number, number, number] }>();
  const seen = new Set<number>();
  let total = 0;
  for (const p of pixels) {
    const x = p % width;
    const y = (p - x) / width;
    for (let dy = -ring; dy <= ring; dy++) {
      for (let dx = -ring; dx <= ring; dx++) {
        const qx = x + dx, qy = y + dy;
        if (qx < 0 || qy < 0 || qx >= width || qy >= height) continue;
        const q = qy * width + qx;
        if (inside.has(q) || seen.has(q)) continue;
        seen.add(q);
        const r = data[q * 4], g = data[q * 4 + 1], b = data[q * 4 + 2];
        const key = colourBin(data, q);
        const bin = bins.get(key) ?? { n: 0, sum: [0, 0, 0] };
        bin.n++;
        bin.sum[0] += r; bin.sum[1] += g; bin.sum[2] += b;
        bins.set(key, bin);
        total++;
      }
    }
  }
  return [...bins.values()]
    .filter((b) => b.n >= 0.15 * total)
    .sort((a, b) => b.n - a.n)
    .slice(0, 3)
    .map((b) => b.sum.map((s) => s / b.n));
}

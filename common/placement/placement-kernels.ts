// Placement (TopNet, issue 14) kernels: pure data in, data out; shared by the engine's
// place pipeline, the CLI and the editor (snap, ghosts). No I/O, no ONNX.
//
// Conventions (the same as models/recipes/topnet_data.py):
// - An object's *box* is the bounding box of its pixels with alpha >= alphaBox (0.5 in the
//   shipped pack), falling back to alpha > 0 when nothing reaches it.
// - Heatmap cell (s, i, j): the object scaled by scales[s] (relative to its current size)
//   with the bottom-centre of its box at ((j + 0.5) / W, (i + 0.5) / H) of the background.
// - The heatmap is a distribution: softmax of the network's logits over every (s, i, j)
//   cell, so all S x H x W values are in [0, 1] and sum to 1.
// - A placement is reported for the object *image*: x, y = the top-left corner of the
//   scaled object image in background pixels, so `paste(resize(obj, scale), x, y)` puts its
//   box's bottom-centre on the cell.

export interface Box {
  x0: number;
  y0: number;
  /** exclusive */
  x1: number;
  y1: number;
}

/** Straight-alpha RGBA bytes. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export interface Placement {
  /** top-left of the scaled object image, background pixels */
  x: number;
  y: number;
  /** multiplies the object image's own size */
  scale: number;
  /** heatmap probability of the cell (the volume sums to 1) */
  score: number;
}

export interface Cell {
  s: number;
  i: number;
  j: number;
  score: number;
}

export interface HeatmapVolume {
  scales: readonly number[];
  width: number;
  height: number;
  /** [S, H, W] row-major, sums to 1 */
  values: Float32Array;
}

/** The alpha box of an object, or null when its alpha is 0 everywhere. */
export function alphaBox(img: RgbaPixels, threshold = 0.5): Box | null {
  const find = (min: number): Box | null => {
    let x0 = img.width, y0 = img.height, x1 = -1, y1 = -1;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        if (img.data[(y * img.width + x) * 4 + 3] >= min) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
  };
  return find(Math.max(1, Math.round(threshold * 255))) ?? find(1);
}

/** Softmax over all logits (in place into a new array): a distribution summing to 1. */
export function softmaxAll(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) if (logits[k] > max) max = logits[k];
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let k = 0; k < logits.length; k++) {
    const e = Math.exp(logits[k] - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < out.length; k++) out[k] /= sum;
  return out;
}

/** Cells whose (i, j) are closer than this (Chebyshev, heatmap cells) to a better one are
 * not separate placements: 6 cells, about 1/10 of the background side on the shipped 64 grid. */
export const NMS_CELLS = 6;

/** The k best cells, best first, at least `nms` cells apart in x or y (any scale): greedy
 * non-maximum suppression (= taking cells in score order, skipping any within `nms` of one
 * taken), done as k scans instead of a sort. Ties break by the lower index, so the order
 * is deterministic. */
export function topCells(vol: HeatmapVolume, k: number, nms = NMS_CELLS, allowed?: (c: Cell) => boolean): Cell[] {
  const { width: W, height: H, values } = vol;
  const plane = W * H;
  const out: Cell[] = [];
  const blocked = new Uint8Array(plane); // (i, j) within nms of a taken cell
  const rejected = allowed ? new Uint8Array(values.length) : null;
  while (out.length < k) {
    let best = -1;
    for (let n = 0; n < values.length; n++) {
      if (blocked[n % plane] || (rejected && rejected[n])) continue;
      if (best < 0 || values[n] > values[best]) best = n;
    }
    if (best < 0) break;
    const cell = { s: Math.floor(best / plane), i: Math.floor((best % plane) / W), j: best % W, score: values[best] };
    if (allowed && rejected && !allowed(cell)) {
      rejected[best] = 1;
      continue;
    }
    out.push(cell);
    for (let y = Math.max(0, cell.i - nms + 1); y <= Math.min(H - 1, cell.i + nms - 1); y++) {
      for (let x = Math.max(0, cell.j - nms + 1); x <= Math.min(W - 1, cell.j + nms - 1); x++) blocked[y * W + x] = 1;
    }
  }
  return out;
}

/** Where the object image goes for a cell: its box's bottom-centre on the cell centre. */
export function cellToPlacement(cell: Cell, vol: HeatmapVolume, bg: { width: number; height: number }, box: Box): Placement {
  const scale = vol.scales[cell.s];
  const xc = ((cell.j + 0.5) / vol.width) * bg.width;
  const yb = ((cell.i + 0.5) / vol.height) * bg.height;
  return {
    x: Math.round(xc - scale * ((box.x0 + box.x1) / 2)),
    y: Math.round(yb - scale * box.y1),
    scale: Math.round(scale * 1e4) / 1e4,
    score: cell.score,
  };
}

/** The scale bin nearest (in log) to a scale. */
export function nearestScaleBin(scales: readonly number[], scale: number): number {
  let best = 0;
  for (let s = 1; s < scales.length; s++) if (Math.abs(Math.log(scales[s] / scale)) < Math.abs(Math.log(scales[best] / scale))) best = s;
  return best;
}

/** One scale's map [H, W] of a volume (a view, not a copy). */
export function scaleSlice(vol: HeatmapVolume, s: number): Float32Array {
  const n = vol.width * vol.height;
  return vol.values.subarray(s * n, (s + 1) * n);
}

/** The best cell of one scale's map within `radius` cells (Chebyshev) of cell (i, j), or null. */
export function bestNear(map: ArrayLike<number>, width: number, height: number, i: number, j: number, radius: number): { i: number; j: number; value: number } | null {
  let best: { i: number; j: number; value: number } | null = null;
  for (let y = Math.max(0, i - radius); y <= Math.min(height - 1, i + radius); y++) {
    for (let x = Math.max(0, j - radius); x <= Math.min(width - 1, j + radius); x++) {
      const v = map[y * width + x];
      if (!best || v > best.value) best = { i: y, j: x, value: v };
    }
  }
  return best;
}

/** Max over scales of a volume: the best any scale does at each cell [H, W]. */
export function maxOverScales(vol: HeatmapVolume): Float32Array {
  const n = vol.width * vol.height;
  const out = new Float32Array(n);
  for (let s = 0; s < vol.scales.length; s++) {
    for (let p = 0; p < n; p++) {
      const v = vol.values[s * n + p];
      if (v > out[p]) out[p] = v;
    }
  }
  return out;
}

/** A map as straight RGBA for an overlay: value / max -> a warm ramp whose alpha grows with
 * the value (0 = transparent). `max` defaults to the map's own maximum. */
export function heatmapRgba(map: ArrayLike<number>, width: number, height: number, max?: number): Uint8ClampedArray<ArrayBuffer> {
  let m = max ?? 0;
  if (max === undefined) for (let p = 0; p < width * height; p++) if (map[p] > m) m = map[p];
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const t = m > 0 ? Math.min(1, Math.max(0, map[p] / m)) : 0;
    out[p * 4] = 255;
    out[p * 4 + 1] = Math.round(220 * (1 - t) + 40 * t);
    out[p * 4 + 2] = Math.round(40 * (1 - t));
    out[p * 4 + 3] = Math.round(255 * Math.sqrt(t) * 0.85);
  }
  return out;
}

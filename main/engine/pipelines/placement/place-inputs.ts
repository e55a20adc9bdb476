// The place pipeline's network inputs, from straight-alpha RGBA (pure; no I/O). The same
// algorithm as models/recipes/topnet_data.py: the background resized to the graph's
// background size, the object cropped to its alpha box, fitted (aspect kept) into the
// object canvas at the bottom centre, premultiplied; resampling is the antialiased
// bilinear (triangle) filter of torch's `interpolate(..., antialias=True)` / PIL.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { alphaBox, type Box, type RgbaPixels } from '../../../../common/placement/placement-kernels.ts';

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array[];
}

function taps(inLen: number, outLen: number): Taps {
  const scale = inLen / outLen;
  const support = scale >= 1 ? scale : 1;
  const inv = scale >= 1 ? 1 / scale : 1;
  const start = new Int32Array(outLen);
  const count = new Int32Array(outLen);
  const weights: Float32Array[] = [];
  for (let o = 0; o < outLen; o++) {
    const center = scale * (o + 0.5);
    const x0 = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inLen) - x0;
    const w = new Float32Array(Math.max(n, 0));
    let total = 0;
    for (let k = 0; k < n; k++) {
      const v = Math.max(0, 1 - Math.abs((k + x0 - center + 0.5) * inv));
      w[k] = v;
      total += v;
    }
    if (total > 0) for (let k = 0; k < n; k++) w[k] /= total;
    start[o] = x0;
    count[o] = n;
    weights.push(w);
  }
  return { start, count, weights };
}

/** Planar float [C, h, w] -> [C, outH, outW], antialiased bilinear. */
export function resizePlanar(src: Float32Array, channels: number, h: number, w: number, outH: number, outW: number): Float32Array {
  const tx = taps(w, outW);
  const ty = taps(h, outH);
  const mid = new Float32Array(channels * h * outW);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const row = (c * h + y) * w;
      for (let o = 0; o < outW; o++) {
        let acc = 0;
        const s0 = tx.start[o], wts = tx.weights[o];
        for (let k = 0; k < tx.count[o]; k++) acc += src[row + s0 + k] * wts[k];
        mid[(c * h + y) * outW + o] = acc;
      }
    }
  }
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    for (let o = 0; o < outH; o++) {
      const s0 = ty.start[o], wts = ty.weights[o];
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let k = 0; k < ty.count[o]; k++) acc += mid[(c * h + s0 + k) * outW + x] * wts[k];
        out[(c * outH + o) * outW + x] = acc;
      }
    }
  }
  return out;
}

/** The background as the graph takes it: sRGB in [0, 1], [3, H, W]; transparent pixels
 * are taken over white (what the editor's canvas shows under them). */
export function backgroundInput(bg: RgbaPixels, width: number, height: number): Float32Array {
  const n = bg.width * bg.height;
  const planar = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) {
    const a = bg.data[p * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) planar[c * n + p] = (bg.data[p * 4 + c] / 255) * a + (1 - a);
  }
  return bg.width === width && bg.height === height ? planar : resizePlanar(planar, 3, bg.height, bg.width, height, width);
}

export interface ObjectInput {
  /** premultiplied RGBA [4, side, side] */
  canvas: Float32Array;
  /** box width / background width, box height / background height */
  size: Float32Array;
  /** the object's alpha box in its own pixels */
  box: Box;
}

/** Checks an object against a background; a hostile one gets a bad_request that says why. */
export function checkObject(obj: RgbaPixels, bg: { width: number; height: number }, alphaThreshold: number): Box {
  if (obj.width < 1 || obj.height < 1 || obj.data.length !== obj.width * obj.height * 4) {
    throw new LaminaError('bad_request', `object image is ${obj.width} x ${obj.height} with ${obj.data.length} bytes: not an RGBA image`);
  }
  const box = alphaBox(obj, alphaThreshold);
  if (!box) throw new LaminaError('bad_request', `object has no visible pixels (its alpha is 0 everywhere, ${obj.width} x ${obj.height}): give an object with a transparent background and an opaque subject`);
  const w = box.x1 - box.x0, h = box.y1 - box.y0;
  if (w < 2 || h < 2) throw new LaminaError('bad_request', `object's visible box is ${w} x ${h} px: too small to place (at least 2 x 2 px)`);
  if (w > bg.width || h > bg.height) {
    throw new LaminaError('bad_request', `object's visible box (${w} x ${h} px) is larger than the background (${bg.width} x ${bg.height} px): scale the object down or use a larger background`);
  }
  return box;
}

/** The object canvas and size input; `side` x `side` canvas. */
export function objectInput(obj: RgbaPixels, bg: { width: number; height: number }, side: number, alphaThreshold: number): ObjectInput {
  const box = checkObject(obj, bg, alphaThreshold);
  const w = box.x1 - box.x0, h = box.y1 - box.y0;
  const crop = new Float32Array(4 * w * h);
  const n = w * h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = ((box.y0 + y) * obj.width + box.x0 + x) * 4;
      const a = obj.data[src + 3] / 255;
      const p = y * w + x;
      for (let c = 0; c < 3; c++) crop[c * n + p] = (obj.data[src + c] / 255) * a;
      crop[3 * n + p] = a;
    }
  }
  const k = side / Math.max(w, h);
  const nw = Math.max(1, Math.round(w * k)), nh = Math.max(1, Math.round(h * k));
  const small = resizePlanar(crop, 4, h, w, nh, nw);
  const canvas = new Float32Array(4 * side * side);
  const ox = Math.floor((side - nw) / 2), oy = side - nh;
  for (let c = 0; c < 4; c++) {
    for (let y = 0; y < nh; y++) {
      for (let x = 0; x < nw; x++) canvas[(c * side + oy + y) * side + ox + x] = Math.min(1, Math.max(0, small[(c * nh + y) * nw + x]));
    }
  }
  return { canvas, size: Float32Array.of(w / bg.width, h / bg.height), box };
}

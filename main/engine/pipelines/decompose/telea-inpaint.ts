// Telea's fast-marching inpainting (A. Telea, "An Image Inpainting Technique Based on the
// Fast Marching Method", J. Graphics Tools 9(1), 2004): the mask is filled from its edge
// inwards in order of distance to the known pixels; each new pixel is a weighted mean of
// the known pixels within `radius`, weighted by direction (along the distance field's
// normal), distance and level-set closeness, nudged along the image gradient.
// The same algorithm as OpenCV's INPAINT_TELEA (the decomposition baseline measured in
// models/recipes/decomp_eval.py), written from the paper. A pure kernel: data in, data out.

const KNOWN = 0;
const BAND = 1;
const INSIDE = 2;
const FAR = 1e6;

/** Min-heap of pixel indices by their T value. */
class PixelHeap {
  private readonly idx: number[] = [];
  constructor(private readonly key: Float32Array) {}
  get size(): number {
    return this.idx.length;
  }
  push(i: number): void {
    const h = this.idx;
    h.push(i);
    let c = h.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (this.key[h[p]] <= this.key[h[c]]) break;
      [h[p], h[c]] = [h[c], h[p]];
      c = p;
    }
  }
  pop(): number {
    const h = this.idx;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < h.length && this.key[h[l]] < this.key[h[m]]) m = l;
        if (r < h.length && this.key[h[r]] < this.key[h[m]]) m = r;
        if (m === p) break;
        [h[p], h[m]] = [h[m], h[p]];
        p = m;
      }
    }
    return top;
  }
}

/**
 * Fills the pixels where `mask` is non-zero. `rgba`: width x height x 4 bytes (the three
 * colour channels are inpainted, alpha is copied); returns new bytes, `rgba` untouched.
 * Pixels outside the mask come back unchanged.
 */
export function teleaInpaint(rgba: Uint8Array, width: number, height: number, mask: Uint8Array, radius = 3): Uint8Array {
  const n = width * height;
  const out = new Uint8Array(rgba);
  const flag = new Uint8Array(n);
  const T = new Float32Array(n);
  // working colour values as floats (filled pixels feed later ones without rounding)
  const val = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) val[p * 3 + c] = rgba[p * 4 + c];
  for (let p = 0; p < n; p++) {
    if (mask[p]) {
      flag[p] = INSIDE;
      T[p] = FAR;
    }
  }
  const heap = new PixelHeap(T);
  // the band: known pixels next to the mask, at distance 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (flag[p] !== KNOWN) continue;
      if ((x > 0 && flag[p - 1] === INSIDE) || (x < width - 1 && flag[p + 1] === INSIDE)
        || (y > 0 && flag[p - width] === INSIDE) || (y < height - 1 && flag[p + width] === INSIDE)) {
        flag[p] = BAND;
        heap.push(p);
      }
    }
  }
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < width && y < height ? y * width + x : -1);

  /** The eikonal |grad T| = 1 solved from two neighbours (a in x, b in y). */
  const solve = (a: number, b: number): number => {
    const ka = a >= 0 && flag[a] !== INSIDE;
    const kb = b >= 0 && flag[b] !== INSIDE;
    if (ka && kb) {
      const ta = T[a];
      const tb = T[b];
      const d = 2 - (ta - tb) * (ta - tb);
      if (d > 0) {
        const r = Math.sqrt(d);
        let s = (ta + tb - r) / 2;
        if (s >= ta && s >= tb) return s;
        s += r;
        if (s >= ta && s >= tb) return s;
      }
      return 1 + Math.min(ta, tb);
    }
    if (ka) return 1 + T[a];
    if (kb) return 1 + T[b];
    return FAR;
  };

  /** One-sided or central difference of f along an axis, over pixels not INSIDE. */
  const diff = (f: (q: number) => number, q: number, prev: number, next: number): number => {
    const kp = prev >= 0 && flag[prev] !== INSIDE;
    const kn = next >= 0 && flag[next] !== INSIDE;
    if (kp && kn) return (f(next) - f(prev)) / 2;
    if (kn) return f(next) - f(q);
    if (kp) return f(q) - f(prev);
    return 0;
  };

  const fill = (x: number, y: number): void => {
    const p = y * width + x;
    const tOf = (q: number) => T[q];
    // the distance field's normal at p (its gradient; its length is the same for every q)
    const gx = diff(tOf, p, at(x - 1, y), at(x + 1, y));
    const gy = diff(tOf, p, at(x, y - 1), at(x, y + 1));
    const sum = [0, 0, 0];
    const jx = [0, 0, 0];
    const jy = [0, 0, 0];
    let wsum = 0;
    const r2 = radius * radius;
    for (let qy = Math.max(0, y - radius); qy <= Math.min(height - 1, y + radius); qy++) {
      for (let qx = Math.max(0, x - radius); qx <= Math.min(width - 1, x + radius); qx++) {
        const q = qy * width + qx;
        if (q === p || flag[q] === INSIDE) continue;
        const rx = x - qx;
        const ry = y - qy;
        const d2 = rx * rx + ry * ry;
        if (d2 > r2) continue;
        // direction: along the normal of the level set; distance: 1 / |r|^3; level: close in T
        let dir = Math.abs(rx * gx + ry * gy);
        if (dir <= 0.01) dir = 1e-6;
        const dst = 1 / (d2 * Math.sqrt(d2));
        const lev = 1 / (1 + Math.abs(T[q] - T[p]));
        const w = dir * dst * lev;
        for (let c = 0; c < 3; c++) {
          const f = (s: number) => val[s * 3 + c];
          sum[c] += w * val[q * 3 + c];
          jx[c] += w * diff(f, q, at(qx - 1, qy), at(qx + 1, qy)) * rx;
          jy[c] += w * diff(f, q, at(qx, qy - 1), at(qx, qy + 1)) * ry;
        }
        wsum += w;
      }
    }
    for (let c = 0; c < 3; c++) {
      // the weighted mean, plus the sign of the gradient extrapolation (at most sqrt 2
      // levels: a full first-order term overshoots at hard edges, like the world's)
      const norm = Math.sqrt(jx[c] * jx[c] + jy[c] * jy[c]);
      const v = wsum > 0 ? sum[c] / wsum + (norm > 0 ? (jx[c] + jy[c]) / norm : 0) : val[p * 3 + c];
      val[p * 3 + c] = Math.min(255, Math.max(0, v));
      out[p * 4 + c] = Math.round(val[p * 3 + c]);
    }
  };

  while (heap.size > 0) {
    const p = heap.pop();
    if (flag[p] === KNOWN) continue;
    flag[p] = KNOWN;
    const x = p % width;
    const y = (p - x) / width;
    for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]]) {
      const q = at(nx, ny);
      if (q < 0 || flag[q] !== INSIDE) continue;
      const t = Math.min(
        solve(at(nx - 1, ny), at(nx, ny - 1)), solve(at(nx + 1, ny), at(nx, ny - 1)),
        solve(at(nx - 1, ny), at(nx, ny + 1)), solve(at(nx + 1, ny), at(nx, ny + 1)),
      );
      T[q] = t;
      fill(nx, ny);
      flag[q] = BAND;
      heap.push(q);
    }
  }
  return out;
}

// Free transform as data: a box scaled and turned about its centre, the affine map it makes,
// the pixel box it covers, and RGBA resampled through it with bilinear filtering (in
// premultiplied alpha, so transparent pixels do not bleed their colour into the edges).
// Pure: data in, data out; the transform tool (tools/transform-tool/) and its commit
// (transform-commands.ts) use it.
import type { RawImage } from '../../../common/contract/raw-image.ts';
import type { Point, Rect } from '../geometry.ts';

/** x' = a x + c y + e, y' = b x + d y + f (the canvas 2D order). */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/** Where a free transform puts a layer: `from` (its box when the transform began) goes to
 * `box` (scaled, not yet turned), turned by `angle` radians (clockwise on screen) about the
 * centre of `box`. */
export interface BoxTransform {
  from: Rect;
  box: Rect;
  angle: number;
}

export const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

export function centre(r: Rect): Point {
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}

/** `p` turned by `angle` about `c`. */
export function rotateAbout(p: Point, c: Point, angle: number): Point {
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const dx = p.x - c.x, dy = p.y - c.y;
  return { x: c.x + dx * cos - dy * sin, y: c.y + dx * sin + dy * cos };
}

/** `m` after `n` (first n, then m). */
export function compose(m: Affine, n: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const [a2, b2, c2, d2, e2, f2] = n;
  return [a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2, a * e2 + c * f2 + e, b * e2 + d * f2 + f];
}

export function invert(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * d - b * c;
  if (!det) throw new Error('the transform is not invertible (zero size)');
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

export function apply(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[2] * p.y + m[4], y: m[1] * p.x + m[3] * p.y + m[5] };
}

export const translate = (dx: number, dy: number): Affine => [1, 0, 0, 1, dx, dy];

/** The canvas -> canvas map of a free transform. */
export function transformMatrix(t: BoxTransform): Affine {
  const c0 = centre(t.from), c1 = centre(t.box);
  const sx = t.box.width / t.from.width, sy = t.box.height / t.from.height;
  const cos = Math.cos(t.angle), sin = Math.sin(t.angle);
  // p -> c1 + R S (p - c0)
  const m: Affine = [cos * sx, sin * sx, -sin * sy, cos * sy, 0, 0];
  const o = apply(m, { x: -c0.x, y: -c0.y });
  return [m[0], m[1], m[2], m[3], o.x + c1.x, o.y + c1.y];
}

/** The transform leaves everything where it was. */
export function isIdentity(t: BoxTransform, eps = 1e-9): boolean {
  const m = transformMatrix(t);
  return m.every((v, i) => Math.abs(v - IDENTITY[i]) < eps);
}

/** The four corners of `r` through `m` (nw, ne, se, sw). */
export function corners(r: Rect, m: Affine): Point[] {
  return [
    { x: r.x, y: r.y }, { x: r.x + r.width, y: r.y }, { x: r.x + r.width, y: r.y + r.height }, { x: r.x, y: r.y + r.height },
  ].map((p) => apply(m, p));
}

/** The whole-pixel box covering `r` through `m` (a hair of rounding error is forgiven, so an
 * exact 2x scale of an integer box stays exact). */
export function mappedBounds(r: Rect, m: Affine): Rect {
  const ps = corners(r, m);
  const eps = 1e-6;
  const x0 = Math.floor(Math.min(...ps.map((p) => p.x)) + eps), y0 = Math.floor(Math.min(...ps.map((p) => p.y)) + eps);
  const x1 = Math.ceil(Math.max(...ps.map((p) => p.x)) - eps), y1 = Math.ceil(Math.max(...ps.map((p) => p.y)) - eps);
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/** `img` (its pixel (0, 0) at canvas `at`) through the canvas map `m`, into the canvas box
 * `out`: each output pixel's centre is mapped back and sampled bilinearly (taps clamped to
 * the source's edge pixels), then weighed by how much of the output pixel the mapped source
 * box covers, so edges stay crisp when scaling and anti-aliased when turning. What the
 * source does not cover reads `outside` (transparent for pixels, the default grey for masks). */
export function resampleAffine(img: RawImage, at: Point, m: Affine, out: Rect, outside: readonly [number, number, number, number] = [0, 0, 0, 0]): RawImage {
  const { width: w, height: h, rgba: src } = img;
  // output pixel (i, j) -> source pixel coordinates
  const inv = compose(translate(-at.x, -at.y), compose(invert(m), translate(out.x, out.y)));
  const [a, b, c, d, e, f] = inv;
  // output pixels per source pixel along the source's x and y axes
  const kx = Math.hypot(m[0], m[1]), ky = Math.hypot(m[2], m[3]);
  const dst = new Uint8Array(out.width * out.height * 4);
  const oa = outside[3] / 255;
  const op = [outside[0] * oa, outside[1] * oa, outside[2] * oa, outside[3]];
  const acc = [0, 0, 0, 0];
  const tap = (x: number, y: number, wgt: number) => {
    if (wgt === 0) return;
    const s = (Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * 4, al = src[s + 3] / 255;
    acc[0] += src[s] * al * wgt;
    acc[1] += src[s + 1] * al * wgt;
    acc[2] += src[s + 2] * al * wgt;
    acc[3] += src[s + 3] * wgt;
  };
  for (let j = 0; j < out.height; j++) {
    for (let i = 0; i < out.width; i++) {
      const px = i + 0.5, py = j + 0.5;
      // the output pixel's centre in source coordinates (pixel (x, y) spans [x, x + 1))
      const bu = a * px + c * py + e, bv = b * px + d * py + f;
      const cover = Math.min(1, Math.max(0, Math.min(Math.min(bu, w - bu) * kx, Math.min(bv, h - bv) * ky) + 0.5));
      acc[0] = acc[1] = acc[2] = acc[3] = 0;
      if (cover > 0) {
        const u = bu - 0.5, v = bv - 0.5;
        const x0 = Math.floor(u), y0 = Math.floor(v);
        const fx = u - x0, fy = v - y0;
        tap(x0, y0, (1 - fx) * (1 - fy) * cover);
        tap(x0 + 1, y0, fx * (1 - fy) * cover);
        tap(x0, y0 + 1, (1 - fx) * fy * cover);
        tap(x0 + 1, y0 + 1, fx * fy * cover);
      }
      if (cover < 1) for (let k = 0; k < 4; k++) acc[k] += op[k] * (1 - cover);
      const o = (j * out.width + i) * 4;
      const alpha = acc[3];
      if (alpha <= 0) continue;
      const q = 255 / alpha;
      dst[o] = Math.min(255, Math.round(acc[0] * q));
      dst[o + 1] = Math.min(255, Math.round(acc[1] * q));
      dst[o + 2] = Math.min(255, Math.round(acc[2] * q));
      dst[o + 3] = Math.min(255, Math.round(alpha));
    }
  }
  return { width: out.width, height: out.height, rgba: dst };
}

/** An angle snapped to whole multiples of `step` radians (Shift while rotating: 15°). */
export function snapAngle(angle: number, step = Math.PI / 12): number {
  return Math.round(angle / step) * step;
}

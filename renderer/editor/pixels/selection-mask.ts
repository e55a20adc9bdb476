// Pixel selections as data: one byte per canvas pixel (0 = out, 255 = in; between =
// partly selected, e.g. an anti-aliased ellipse edge). Every op returns a new mask.
// Marquee and lasso shapes rasterize here; the canvas only draws the result.
import type { Point, Rect } from '../geometry.ts';

export interface SelectionMask {
  width: number;
  height: number;
  /** width x height bytes, row-major */
  data: Uint8Array;
}

/** How a new shape combines with the selection there already: plain, Shift adds, Alt subtracts, both intersect. */
export type SelectionMode = 'replace' | 'add' | 'subtract' | 'intersect';

export type SelectionShape =
  | { type: 'rect'; rect: Rect }
  | { type: 'ellipse'; rect: Rect }
  | { type: 'lasso'; points: Point[] };

export function emptySelection(width: number, height: number): SelectionMask {
  return { width, height, data: new Uint8Array(width * height) };
}

export function selectAll(width: number, height: number): SelectionMask {
  return { width, height, data: new Uint8Array(width * height).fill(255) };
}

export function invertSelection(sel: SelectionMask): SelectionMask {
  const data = new Uint8Array(sel.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - sel.data[i];
  return { ...sel, data };
}

export function isEmptySelection(sel: SelectionMask): boolean {
  for (let i = 0; i < sel.data.length; i++) if (sel.data[i]) return false;
  return true;
}

/** The smallest pixel box holding every selected pixel; null when nothing is selected. */
export function selectionBounds(sel: SelectionMask): Rect | null {
  let x0 = sel.width, y0 = sel.height, x1 = -1, y1 = -1;
  for (let y = 0; y < sel.height; y++) {
    const row = y * sel.width;
    for (let x = 0; x < sel.width; x++) {
      if (!sel.data[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function rasterRect(width: number, height: number, r: Rect): Uint8Array {
  const out = new Uint8Array(width * height);
  const x0 = Math.max(0, Math.round(r.x)), y0 = Math.max(0, Math.round(r.y));
  const x1 = Math.min(width, Math.round(r.x + r.width)), y1 = Math.min(height, Math.round(r.y + r.height));
  for (let y = y0; y < y1; y++) out.fill(255, y * width + x0, y * width + Math.max(x0, x1));
  return out;
}

/** An ellipse inscribed in `r`, its edge anti-aliased over about one pixel. */
function rasterEllipse(width: number, height: number, r: Rect): Uint8Array {
  const out = new Uint8Array(width * height);
  const rx = r.width / 2, ry = r.height / 2;
  if (rx <= 0 || ry <= 0) return out;
  const cx = r.x + rx, cy = r.y + ry;
  const y0 = Math.max(0, Math.floor(r.y)), y1 = Math.min(height, Math.ceil(r.y + r.height));
  const x0 = Math.max(0, Math.floor(r.x)), x1 = Math.min(width, Math.ceil(r.x + r.width));
  for (let y = y0; y < y1; y++) {
    const dy = (y + 0.5 - cy) / ry;
    for (let x = x0; x < x1; x++) {
      const dx = (x + 0.5 - cx) / rx;
      // signed distance to the edge in pixels, approximately: (1 - |d|) * the smaller radius
      const d = (1 - Math.sqrt(dx * dx + dy * dy)) * Math.min(rx, ry);
      const a = Math.max(0, Math.min(1, d + 0.5));
      if (a > 0) out[y * width + x] = Math.round(a * 255);
    }
  }
  return out;
}

/** A closed polygon (the lasso's path), even-odd fill sampled at pixel centres. */
export function rasterPolygon(width: number, height: number, points: readonly Point[]): Uint8Array {
  const out = new Uint8Array(width * height);
  if (points.length < 3) return out;
  let minY = Infinity, maxY = -Infinity;
  for (const p of points) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const ys = Math.max(0, Math.floor(minY)), ye = Math.min(height - 1, Math.ceil(maxY));
  const xs: number[] = [];
  for (let y = ys; y <= ye; y++) {
    const sy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const a = points[j], b = points[i];
      if ((a.y <= sy && b.y > sy) || (b.y <= sy && a.y > sy)) xs.push(a.x + ((sy - a.y) / (b.y - a.y)) * (b.x - a.x));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixels whose centre lies between the two crossings
      const from = Math.max(0, Math.ceil(xs[k] - 0.5)), to = Math.min(width, Math.ceil(xs[k + 1] - 0.5));
      if (to > from) out.fill(255, y * width + from, y * width + to);
    }
  }
  return out;
}

export function rasterShape(width: number, height: number, shape: SelectionShape): Uint8Array {
  switch (shape.type) {
    case 'rect': return rasterRect(width, height, shape.rect);
    case 'ellipse': return rasterEllipse(width, height, shape.rect);
    case 'lasso': return rasterPolygon(width, height, shape.points);
  }
}

/** The selection after drawing `shape` with `mode` (a null selection is "nothing selected"). */
export function combineSelection(sel: SelectionMask | null, width: number, height: number, shape: SelectionShape, mode: SelectionMode): SelectionMask {
  const add = rasterShape(width, height, shape);
  const base = sel && sel.width === width && sel.height === height ? sel.data : new Uint8Array(width * height);
  if (mode === 'replace') return { width, height, data: add };
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const a = base[i], b = add[i];
    data[i] = mode === 'add' ? Math.max(a, b) : mode === 'subtract' ? Math.min(a, 255 - b) : Math.min(a, b);
  }
  return { width, height, data };
}

export function modeFor(mods: { shiftKey: boolean; altKey: boolean }): SelectionMode {
  return mods.shiftKey && mods.altKey ? 'intersect' : mods.shiftKey ? 'add' : mods.altKey ? 'subtract' : 'replace';
}

/** How much of canvas pixel (x, y) is selected, 0..1; a null selection selects everything. */
export function selectedAt(sel: SelectionMask | null, x: number, y: number): number {
  if (!sel) return 1;
  if (x < 0 || y < 0 || x >= sel.width || y >= sel.height) return 0;
  return sel.data[y * sel.width + x] / 255;
}

// A stroke as coverage: stamps along the path (densified so a fast drag leaves no gaps),
// each pixel keeping the strongest stamp that touched it, times the brush opacity. Raw
// Float32Array over an integer box on the canvas; no DOM.
import type { Rect } from '../geometry.ts';
import { stampAlpha, stampRadius, type PaintStroke, type StrokePoint } from './brush.ts';

export interface Coverage {
  /** integer box on the canvas */
  rect: Rect;
  /** rect.width x rect.height values, 0..1 */
  data: Float32Array;
}

/** Points along the path at most `spacing` apart, pressure interpolated. */
export function densifyStroke(points: readonly StrokePoint[], spacing: number): StrokePoint[] {
  if (points.length < 2) return [...points];
  const out: StrokePoint[] = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1], b = points[i];
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / Math.max(0.25, spacing)));
    for (let k = 1; k <= n; k++) {
      const t = k / n;
      const pressure = a.pressure === undefined || b.pressure === undefined ? b.pressure ?? a.pressure : a.pressure + (b.pressure - a.pressure) * t;
      out.push({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, ...(pressure === undefined ? {} : { pressure }) });
    }
  }
  return out;
}

/** The box every stamp of the stroke can touch (not clipped). */
export function strokeRect(stroke: PaintStroke): Rect {
  const r = stroke.brush.size / 2 + 1;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of stroke.points) {
    x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y);
  }
  const x = Math.floor(x0 - r), y = Math.floor(y0 - r);
  return { x, y, width: Math.ceil(x1 + r) - x, height: Math.ceil(y1 + r) - y };
}

/** Coverage of the stroke inside `clip` (canvas px, integer); null when the stroke misses it. */
export function strokeCoverage(stroke: PaintStroke, clip: Rect): Coverage | null {
  if (!stroke.points.length) return null;
  const sr = strokeRect(stroke);
  const x0 = Math.max(sr.x, clip.x), y0 = Math.max(sr.y, clip.y);
  const x1 = Math.min(sr.x + sr.width, clip.x + clip.width), y1 = Math.min(sr.y + sr.height, clip.y + clip.height);
  if (x1 <= x0 || y1 <= y0) return null;
  const rect = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  const data = new Float32Array(rect.width * rect.height);
  const { brush } = stroke;
  const spacing = Math.max(0.5, (brush.size / 2) * 0.15);
  for (const p of densifyStroke(stroke.points, spacing)) {
    const r = stampRadius(brush, p.pressure);
    const sx0 = Math.max(x0, Math.floor(p.x - r - 1)), sx1 = Math.min(x1, Math.ceil(p.x + r + 1));
    const sy0 = Math.max(y0, Math.floor(p.y - r - 1)), sy1 = Math.min(y1, Math.ceil(p.y + r + 1));
    for (let y = sy0; y < sy1; y++) {
      const dy = y + 0.5 - p.y;
      const row = (y - y0) * rect.width - x0;
      for (let x = sx0; x < sx1; x++) {
        const a = stampAlpha(Math.hypot(x + 0.5 - p.x, dy), r, brush.hardness);
        if (a > data[row + x]) data[row + x] = a;
      }
    }
  }
  const o = Math.max(0, Math.min(1, brush.opacity));
  if (o < 1) for (let i = 0; i < data.length; i++) data[i] *= o;
  return { rect, data };
}

// Mask kernels: stroke geometry. Rasterizing is the canvas layer's job (pixel-services).
import type { Rect } from './geometry.ts';
import { clampRectToCanvas, rectUnion } from './geometry.ts';
import type { MaskStroke } from './editor-state.ts';

export function strokeBounds(stroke: MaskStroke): Rect {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of stroke.points) {
    x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y);
  }
  const r = stroke.radius;
  return { x: x0 - r, y: y0 - r, width: x1 - x0 + 2 * r, height: y1 - y0 + 2 * r };
}

/**
 * The pixel box of a mask after a stroke: painting grows it by the stroke's bounds,
 * erasing keeps the old box. Clipped to the canvas; null when nothing is left.
 */
export function maskBoundsAfterStroke(existing: Rect | null, stroke: MaskStroke, canvas: { width: number; height: number }): Rect | null {
  if (stroke.erase) return existing ? clampRectToCanvas(existing, canvas.width, canvas.height) : null;
  const s = strokeBounds(stroke);
  return clampRectToCanvas(existing ? rectUnion(existing, s) : s, canvas.width, canvas.height);
}

/** Evenly spaced points along the polyline, so that a fast stroke leaves no gaps. */
export function densify(points: readonly { x: number; y: number }[], spacing: number): { x: number; y: number }[] {
  if (points.length < 2) return [...points];
  const out = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1], b = points[i];
    const d = Math.hypot(b.x - a.x, b.y - a.y);
    const n = Math.max(1, Math.ceil(d / Math.max(0.5, spacing)));
    for (let k = 1; k <= n; k++) out.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  return out;
}

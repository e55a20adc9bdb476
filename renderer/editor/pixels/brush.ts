// Brush settings and the stamp a brush leaves: size (diameter in canvas px), hardness
// (how much of the radius is solid before the edge fades), opacity (a stroke's ceiling:
// overlapping stamps inside one stroke never build past it, as in Photoshop) and colour.
export interface BrushSettings {
  /** diameter in canvas px */
  size: number;
  /** 0 (soft, fades from the centre) .. 1 (hard, a one-pixel anti-aliased edge) */
  hardness: number;
  /** 0..1 */
  opacity: number;
  /** RGB, 0-255 each */
  color: [number, number, number];
}

export const DEFAULT_BRUSH: BrushSettings = { size: 24, hardness: 0.8, opacity: 1, color: [0, 0, 0] };

/** A point of a stroke in canvas px; `pressure` 0..1 where the device reports it (pens). */
export interface StrokePoint {
  x: number;
  y: number;
  pressure?: number;
}

export interface PaintStroke {
  points: StrokePoint[];
  brush: BrushSettings;
  erase: boolean;
}

/** The stamp's coverage (0..1) at distance `d` from its centre, for radius `r`. */
export function stampAlpha(d: number, r: number, hardness: number): number {
  if (r <= 0) return 0;
  const h = Math.max(0, Math.min(1, hardness));
  const solid = r * h;
  // the hard part keeps a one-pixel anti-aliased rim
  if (h >= 1 || r - solid < 1) return Math.max(0, Math.min(1, r - d + 0.5));
  if (d <= solid) return 1;
  if (d >= r) return 0;
  const t = (d - solid) / (r - solid);
  return 1 - t * t * (3 - 2 * t); // smoothstep fall-off
}

/** Radius of a stamp: pressure scales the size (a mouse reports none: full size). */
export function stampRadius(brush: BrushSettings, pressure: number | undefined): number {
  const p = pressure === undefined ? 1 : Math.max(0.05, Math.min(1, pressure));
  return Math.max(0.5, (brush.size * p) / 2);
}

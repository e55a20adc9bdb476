// The geometry of the canvas commands (./canvas-commands.ts), pure: where the layers go
// when the canvas grows or shrinks around an anchor, when the whole image is scaled, and
// where a layer's box goes when it turns a quarter about its centre.
import type { Rect } from './geometry.ts';

export type Anchor = 'top-left' | 'top' | 'top-right' | 'left' | 'center' | 'right' | 'bottom-left' | 'bottom' | 'bottom-right';
export const ANCHORS: readonly Anchor[] = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'];

/** How far the layers move when the canvas goes from `from` to `to`, the old picture kept at `anchor`. */
export function anchorOffset(from: { width: number; height: number }, to: { width: number; height: number }, anchor: Anchor): { dx: number; dy: number } {
  const fx = anchor.endsWith('left') ? 0 : anchor.endsWith('right') ? 1 : 0.5;
  const fy = anchor.startsWith('top') ? 0 : anchor.startsWith('bottom') ? 1 : 0.5;
  return { dx: Math.round((to.width - from.width) * fx), dy: Math.round((to.height - from.height) * fy) };
}

/** A layer's box when the whole image is scaled from `from` to `to` (edges scaled, then rounded, so neighbours stay touching). */
export function scaledRect(r: Rect, from: { width: number; height: number }, to: { width: number; height: number }): Rect {
  const sx = to.width / from.width, sy = to.height / from.height;
  const x = Math.round(r.x * sx), y = Math.round(r.y * sy);
  return { x, y, width: Math.max(1, Math.round((r.x + r.width) * sx) - x), height: Math.max(1, Math.round((r.y + r.height) * sy) - y) };
}

/** A box turned by a quarter (90 or 270) about its centre: width and height swap. */
export function quarterTurnRect(r: Rect): Rect {
  const cx = r.x + r.width / 2, cy = r.y + r.height / 2;
  return { x: Math.round(cx - r.height / 2), y: Math.round(cy - r.width / 2), width: r.height, height: r.width };
}

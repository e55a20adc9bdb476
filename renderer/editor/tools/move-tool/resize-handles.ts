// Transform handles as data: where the eight handles of a box are, which one a point is
// on, and the box a handle drag makes (corners keep the aspect ratio, edges scale one side).
import type { Point, Rect } from '../../geometry.ts';

export type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];
/** Half the side of a handle, in screen px (what a press may miss it by). */
export const HANDLE_RADIUS_PX = 6;

/** The handle's position on the box (canvas px). */
export function handlePoint(r: Rect, h: Handle): Point {
  const fx = h.includes('w') ? 0 : h.includes('e') ? 1 : 0.5;
  const fy = h.startsWith('n') ? 0 : h.startsWith('s') ? 1 : 0.5;
  return { x: r.x + fx * r.width, y: r.y + fy * r.height };
}

/** The handle under `p` (canvas px) at this zoom, corners first; null when none. */
export function handleAt(r: Rect, p: Point, zoom: number): Handle | null {
  const reach = HANDLE_RADIUS_PX / zoom;
  const order: Handle[] = ['nw', 'ne', 'se', 'sw', 'n', 'e', 's', 'w'];
  return order.find((h) => {
    const c = handlePoint(r, h);
    return Math.abs(p.x - c.x) <= reach && Math.abs(p.y - c.y) <= reach;
  }) ?? null;
}

/** Reach of the rotate zone around each corner, outside the box, in screen px. */
export const ROTATE_REACH_PX = 22;

/** True when `p` (canvas px) is just outside a corner of `r` (not on a handle): where a press turns the box. */
export function inRotateZone(r: Rect, p: Point, zoom: number): boolean {
  const inside = p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
  if (inside || handleAt(r, p, zoom)) return false;
  const reach = ROTATE_REACH_PX / zoom;
  return (['nw', 'ne', 'se', 'sw'] as const).some((h) => {
    const c = handlePoint(r, h);
    return Math.hypot(p.x - c.x, p.y - c.y) <= reach;
  });
}

/** The box after dragging handle `h` of `start` to `p`: the opposite side stays put; at least 1 px.
 * With `keepRatio` (the move tool's corners always; free transform while Shift is held) a corner keeps the aspect ratio. */
export function resizeBox(start: Rect, h: Handle, p: Point, keepRatio = h.length === 2): Rect {
  let left = start.x, top = start.y, right = start.x + start.width, bottom = start.y + start.height;
  if (h.includes('w')) left = Math.min(p.x, right - 1);
  if (h.includes('e')) right = Math.max(p.x, left + 1);
  if (h.startsWith('n')) top = Math.min(p.y, bottom - 1);
  if (h.startsWith('s')) bottom = Math.max(p.y, top + 1);
  if (h.length === 2 && keepRatio) {
    // a corner keeps the aspect ratio: the larger relative change wins
    const s = Math.max((right - left) / start.width, (bottom - top) / start.height);
    const w = start.width * s, hh = start.height * s;
    if (h.includes('w')) left = right - w;
    else right = left + w;
    if (h.startsWith('n')) top = bottom - hh;
    else bottom = top + hh;
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

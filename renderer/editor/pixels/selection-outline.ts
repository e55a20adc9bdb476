// The outline of a pixel selection as line segments along pixel edges (the boundary
// between pixels at least half selected and the rest), merged into runs so a large
// rectangle is four segments, not thousands. The canvas strokes them as marching ants.
import type { SelectionMask } from './selection-mask.ts';

/** Flat [x0, y0, x1, y1, ...] in canvas px. */
export function selectionOutline(sel: SelectionMask, threshold = 128): number[] {
  const { width: w, height: h, data } = sel;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] >= threshold;
  const out: number[] = [];
  // horizontal edges: between row y-1 and row y
  for (let y = 0; y <= h; y++) {
    let start = -1;
    for (let x = 0; x <= w; x++) {
      const edge = x < w && inside(x, y - 1) !== inside(x, y);
      if (edge && start < 0) start = x;
      else if (!edge && start >= 0) {
        out.push(start, y, x, y);
        start = -1;
      }
    }
  }
  // vertical edges: between column x-1 and column x
  for (let x = 0; x <= w; x++) {
    let start = -1;
    for (let y = 0; y <= h; y++) {
      const edge = y < h && inside(x - 1, y) !== inside(x, y);
      if (edge && start < 0) start = y;
      else if (!edge && start >= 0) {
        out.push(x, start, x, y);
        start = -1;
      }
    }
  }
  return out;
}

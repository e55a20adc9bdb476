// Snapping kernels: a moving box snaps its edges (and centre) to the canvas edges and
// centre and to other layers' edges, within a threshold given in canvas pixels.
import type { Layer, LaminaDocument } from '../../common/document/document-schema.ts';
import { walkLayers } from '../../common/document/layer-tree.ts';
import type { Rect } from './geometry.ts';
import { layerBounds } from './geometry.ts';

export interface SnapTargets {
  xs: number[];
  ys: number[];
}

export interface SnapResult {
  dx: number;
  dy: number;
  /** guide lines to draw: x positions of vertical lines, y positions of horizontal lines */
  guidesX: number[];
  guidesY: number[];
}

/** Edges (and centres) of the canvas and of every visible layer not in `exclude`. */
export function snapTargets(doc: LaminaDocument, exclude: ReadonlySet<string>, visibleOnly = true): SnapTargets {
  const xs = [0, doc.width / 2, doc.width];
  const ys = [0, doc.height / 2, doc.height];
  const visit = (layers: readonly Layer[], ox: number, oy: number, hidden: boolean) => {
    for (const l of layers) {
      if (exclude.has(l.id)) continue;
      const isHidden = hidden || (visibleOnly && !l.visible);
      if (l.kind === 'group') {
        visit(l.children, ox + l.x, oy + l.y, isHidden);
        continue;
      }
      if (isHidden) continue;
      const r = layerBounds(l);
      if (!r) continue;
      xs.push(r.x + ox, r.x + ox + r.width);
      ys.push(r.y + oy, r.y + oy + r.height);
    }
  };
  visit(doc.layers, 0, 0, false);
  return { xs: uniq(xs), ys: uniq(ys) };
}

function uniq(a: number[]): number[] {
  return [...new Set(a)].sort((p, q) => p - q);
}

/** Best offset that brings one of `edges` onto one of `targets`, or null if none within threshold. */
export function snapAxis(edges: readonly number[], targets: readonly number[], threshold: number): { delta: number; at: number[] } | null {
  let best: number | null = null;
  for (const e of edges) {
    for (const t of targets) {
      const d = t - e;
      if (Math.abs(d) <= threshold && (best === null || Math.abs(d) < Math.abs(best))) best = d;
    }
  }
  if (best === null) return null;
  const delta = best;
  const at = uniq(edges.map((e) => e + delta).filter((e) => targets.some((t) => Math.abs(t - e) < 1e-6)));
  return { delta, at };
}

/** Snap a moved box: left/centre/right against xs, top/middle/bottom against ys. */
export function snapMove(box: Rect, targets: SnapTargets, threshold: number): SnapResult {
  const sx = snapAxis([box.x, box.x + box.width / 2, box.x + box.width], targets.xs, threshold);
  const sy = snapAxis([box.y, box.y + box.height / 2, box.y + box.height], targets.ys, threshold);
  return { dx: sx?.delta ?? 0, dy: sy?.delta ?? 0, guidesX: sx?.at ?? [], guidesY: sy?.at ?? [] };
}

/**
 * Snap the edges of a box being resized. Only edges that moved relative to `before`
 * snap; the opposite edges stay put.
 */
export function snapResize(before: Rect, box: Rect, targets: SnapTargets, threshold: number): { box: Rect; guidesX: number[]; guidesY: number[] } {
  let left = box.x;
  let right = box.x + box.width;
  let top = box.y;
  let bottom = box.y + box.height;
  const guidesX: number[] = [];
  const guidesY: number[] = [];
  const eps = 1e-6;
  const snapOne = (v: number, targets: readonly number[], guides: number[]) => {
    const s = snapAxis([v], targets, threshold);
    if (!s) return v;
    guides.push(v + s.delta);
    return v + s.delta;
  };
  if (Math.abs(left - before.x) > eps) left = snapOne(left, targets.xs, guidesX);
  if (Math.abs(right - (before.x + before.width)) > eps) right = snapOne(right, targets.xs, guidesX);
  if (Math.abs(top - before.y) > eps) top = snapOne(top, targets.ys, guidesY);
  if (Math.abs(bottom - (before.y + before.height)) > eps) bottom = snapOne(bottom, targets.ys, guidesY);
  if (right - left < 1 || bottom - top < 1) return { box, guidesX: [], guidesY: [] };
  return { box: { x: left, y: top, width: right - left, height: bottom - top }, guidesX, guidesY };
}

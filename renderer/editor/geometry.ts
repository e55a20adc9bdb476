// Geometry kernels: plain data in, plain data out.
import type { Layer, LaminaDocument } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import { layerUtil } from './layer-kinds/layer-utils.ts';

export interface Point {
  x: number;
  y: number;
}
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function rectFromPoints(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

export function rectContains(r: Rect, p: Point): boolean {
  return p.x >= r.x && p.y >= r.y && p.x < r.x + r.width && p.y < r.y + r.height;
}

export function rectIntersection(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const r = Math.min(a.x + a.width, b.x + b.width);
  const bt = Math.min(a.y + a.height, b.y + b.height);
  if (r <= x || bt <= y) return null;
  return { x, y, width: r - x, height: bt - y };
}

export function rectUnion(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Integer pixel rect covering `r`, clipped to the canvas; null when nothing is left. */
export function clampRectToCanvas(r: Rect, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(r.x));
  const y0 = Math.max(0, Math.floor(r.y));
  const x1 = Math.min(width, Math.ceil(r.x + r.width));
  const y1 = Math.min(height, Math.ceil(r.y + r.height));
  if (x1 - x0 < 1 || y1 - y0 < 1) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The layer's own box (its parent's coordinates; a group's children's union), from its kind's utility. */
export function layerRect(layer: Layer): Rect | null {
  return layerUtil(layer).rect(layer);
}

/** Bounds of a layer including a group's children (offset by the group's x/y). */
export const layerBounds = layerRect;

export function docRect(doc: Pick<LaminaDocument, 'width' | 'height'>): Rect {
  return { x: 0, y: 0, width: doc.width, height: doc.height };
}

/** Uniform scale of `r` so that it is at least `min` px on each side (used by the transformer). */
export function normalizeRect(r: Rect, min = 1): Rect {
  let { x, y, width, height } = r;
  if (width < 0) {
    x += width;
    width = -width;
  }
  if (height < 0) {
    y += height;
    height = -height;
  }
  return { x, y, width: Math.max(min, width), height: Math.max(min, height) };
}

export function roundRect(r: Rect): Rect {
  const x = Math.round(r.x);
  const y = Math.round(r.y);
  return { x, y, width: Math.max(1, Math.round(r.x + r.width) - x), height: Math.max(1, Math.round(r.y + r.height) - y) };
}

/** Bounds of a layer on the canvas, with the offsets of the groups that contain it. */
export function absoluteBounds(doc: LaminaDocument, id: string): Rect | null {
  let ox = 0, oy = 0;
  let loc = findLayer(doc.layers, id);
  if (!loc) return null;
  const r = layerBounds(loc.layer);
  if (!r) return null;
  while (loc && loc.parentId) {
    loc = findLayer(doc.layers, loc.parentId);
    if (loc) { ox += loc.layer.x; oy += loc.layer.y; }
  }
  return { ...r, x: r.x + ox, y: r.y + oy };
}

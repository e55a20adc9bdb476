// The view transform: screen = canvas * zoom + offset. Pure functions.
import type { Point, Rect } from './geometry.ts';

export interface Viewport {
  zoom: number;
  /** screen position of canvas (0,0), in CSS pixels relative to the stage */
  x: number;
  y: number;
}

export const MIN_ZOOM = 1 / 32;
export const MAX_ZOOM = 64;
/** Preset steps for Ctrl +/-, like Photoshop's. */
export const ZOOM_STEPS = [1 / 32, 1 / 24, 1 / 16, 1 / 12, 1 / 8, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64];

export const clampZoom = (z: number): number => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));

export function screenToCanvas(v: Viewport, p: Point): Point {
  return { x: (p.x - v.x) / v.zoom, y: (p.y - v.y) / v.zoom };
}

export function canvasToScreen(v: Viewport, p: Point): Point {
  return { x: p.x * v.zoom + v.x, y: p.y * v.zoom + v.y };
}

/** Zoom to `zoom` keeping the canvas point under screen point `anchor` fixed. */
export function zoomAt(v: Viewport, zoom: number, anchor: Point): Viewport {
  const z = clampZoom(zoom);
  const c = screenToCanvas(v, anchor);
  return { zoom: z, x: anchor.x - c.x * z, y: anchor.y - c.y * z };
}

/** Wheel zoom: smooth exponential factor from deltaY. */
export function wheelZoom(v: Viewport, deltaY: number, anchor: Point): Viewport {
  const factor = Math.exp(-deltaY * 0.0015);
  return zoomAt(v, v.zoom * factor, anchor);
}

export function nextZoomStep(zoom: number, dir: 1 | -1): number {
  if (dir > 0) return ZOOM_STEPS.find((s) => s > zoom * 1.0001) ?? MAX_ZOOM;
  for (let i = ZOOM_STEPS.length - 1; i >= 0; i--) if (ZOOM_STEPS[i] < zoom / 1.0001) return ZOOM_STEPS[i];
  return MIN_ZOOM;
}

export function stepZoom(v: Viewport, dir: 1 | -1, screen: { width: number; height: number }): Viewport {
  return zoomAt(v, nextZoomStep(v.zoom, dir), { x: screen.width / 2, y: screen.height / 2 });
}

/** Fit `content` into a screen of the given size with `margin` CSS px around it. */
export function fitRect(content: Rect, screen: { width: number; height: number }, margin = 32, maxZoom = 1): Viewport {
  const aw = Math.max(1, screen.width - margin * 2);
  const ah = Math.max(1, screen.height - margin * 2);
  const zoom = clampZoom(Math.min(maxZoom, aw / content.width, ah / content.height));
  return {
    zoom,
    x: Math.round((screen.width - content.width * zoom) / 2 - content.x * zoom),
    y: Math.round((screen.height - content.height * zoom) / 2 - content.y * zoom),
  };
}

export function pan(v: Viewport, dx: number, dy: number): Viewport {
  return { ...v, x: v.x + dx, y: v.y + dy };
}

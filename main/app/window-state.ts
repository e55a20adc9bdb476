// Window bounds saved on close and restored on start, clamped to a visible display.
export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}
export interface DisplayArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1440, height: 900 };
const MIN_W = 1024;
const MIN_H = 700;

/** Parses saved bounds; returns defaults for anything malformed or off every display. */
export function restoreBounds(saved: unknown, displays: readonly DisplayArea[]): WindowBounds {
  if (!saved || typeof saved !== 'object') return DEFAULT_BOUNDS;
  const b = saved as Partial<WindowBounds>;
  if (typeof b.width !== 'number' || typeof b.height !== 'number' || !Number.isFinite(b.width) || !Number.isFinite(b.height)) return DEFAULT_BOUNDS;
  const width = Math.max(MIN_W, Math.round(b.width));
  const height = Math.max(MIN_H, Math.round(b.height));
  const maximized = b.maximized === true;
  if (typeof b.x !== 'number' || typeof b.y !== 'number') return { width, height, maximized };
  const visible = displays.some((d) => b.x! + 64 <= d.x + d.width && b.x! + width - 64 >= d.x && b.y! >= d.y && b.y! + 32 <= d.y + d.height);
  return visible ? { x: Math.round(b.x), y: Math.round(b.y), width, height, maximized } : { width, height, maximized };
}

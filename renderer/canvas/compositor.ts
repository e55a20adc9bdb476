// Flattens the document into one bitmap so the view draws one image per frame however
// many layers there are (DESIGN 6.8: layer count must not become Konva node count).
// A gesture splits the stack into [above | live | below] so a drag redraws only the
// layers it moves. Hidden layers are skipped entirely.
import type { BlendMode, Layer, LaminaDocument } from '../../common/document/document-schema.ts';
import type { Rect } from '../editor/geometry.ts';
import type { ImageCache } from './image-cache.ts';

export const COMPOSITE_OPS: Record<BlendMode, GlobalCompositeOperation> = {
  normal: 'source-over', multiply: 'multiply', screen: 'screen', overlay: 'overlay', darken: 'darken',
  lighten: 'lighten', 'color-dodge': 'color-dodge', 'color-burn': 'color-burn', 'hard-light': 'hard-light',
  'soft-light': 'soft-light', difference: 'difference', exclusion: 'exclusion', hue: 'hue', saturation: 'saturation',
  color: 'color', luminosity: 'luminosity', 'linear-dodge': 'lighter',
};

/** Per-layer overrides while a gesture is live: a new box (move or scale). */
export type Overrides = ReadonlyMap<string, Rect>;

export interface CompositeTarget {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  /** device pixels per canvas pixel (< 1 for very large documents) */
  scale: number;
}

export const MAX_COMPOSITE_SIDE = 4096;

export function makeTarget(doc: Pick<LaminaDocument, 'width' | 'height'>, reuse?: CompositeTarget | null): CompositeTarget {
  const scale = Math.min(1, MAX_COMPOSITE_SIDE / Math.max(doc.width, doc.height));
  const w = Math.max(1, Math.round(doc.width * scale));
  const h = Math.max(1, Math.round(doc.height * scale));
  if (reuse && reuse.canvas.width === w && reuse.canvas.height === h) {
    reuse.ctx.setTransform(1, 0, 0, 1, 0, 0);
    reuse.ctx.clearRect(0, 0, w, h);
    return reuse;
  }
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  return { canvas, ctx: canvas.getContext('2d')!, scale };
}

/** Paint `layers` (front first) back to front into ctx, in canvas coordinates. */
export function paintLayers(ctx: CanvasRenderingContext2D, layers: readonly Layer[], cache: ImageCache, scale: number, overrides?: Overrides, ox = 0, oy = 0): void {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (!l.visible || l.opacity <= 0) continue;
    if (l.kind === 'group') {
      // same rules as the engine (main/engine/imaging/composite.ts): a normal group passes
      // through (its opacity mixes the painted result with the backdrop); any other blend
      // mode isolates the group on a transparent buffer, then blends it.
      if (l.blendMode === 'normal' && l.opacity >= 1) {
        paintLayers(ctx, l.children, cache, scale, overrides, ox + l.x, oy + l.y);
        continue;
      }
      const tmp = document.createElement('canvas');
      tmp.width = ctx.canvas.width;
      tmp.height = ctx.canvas.height;
      const tctx = tmp.getContext('2d')!;
      if (l.blendMode === 'normal') tctx.drawImage(ctx.canvas, 0, 0);
      paintLayers(tctx, l.children, cache, scale, overrides, ox + l.x, oy + l.y);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      if (l.blendMode === 'normal') {
        // backdrop * (1 - t) + painted * t
        ctx.globalCompositeOperation = 'destination-in';
        ctx.fillStyle = `rgba(0,0,0,${1 - l.opacity})`;
        ctx.fillRect(0, 0, tmp.width, tmp.height);
        ctx.globalCompositeOperation = 'lighter';
      } else ctx.globalCompositeOperation = COMPOSITE_OPS[l.blendMode];
      ctx.globalAlpha = l.opacity;
      ctx.drawImage(tmp, 0, 0);
      ctx.restore();
      continue;
    }
    if (l.kind === 'region') continue; // regions are overlays, not pixels
    const imageId = l.kind === 'raster' ? l.imageId : l.imageId;
    if (!imageId) continue;
    const img = cache.get(imageId);
    if (!img) continue;
    const o = overrides?.get(l.id);
    const w = l.kind === 'raster' ? l.width : (l.width ?? img.width);
    const h = l.kind === 'raster' ? l.height : (l.height ?? img.height);
    const r = o ?? { x: l.x + ox, y: l.y + oy, width: w, height: h };
    ctx.save();
    ctx.globalAlpha = l.opacity;
    ctx.globalCompositeOperation = COMPOSITE_OPS[l.blendMode];
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.drawImage(img, r.x, r.y, r.width, r.height);
    ctx.restore();
  }
}

/** Which root entries hold the live ids: the slice [lo, hi] is redrawn each frame. */
export function liveSpan(layers: readonly Layer[], ids: ReadonlySet<string>): { lo: number; hi: number } | null {
  let lo = -1, hi = -1;
  const contains = (l: Layer): boolean => ids.has(l.id) || (l.kind === 'group' && l.children.some(contains));
  layers.forEach((l, i) => {
    if (contains(l)) {
      if (lo < 0) lo = i;
      hi = i;
    }
  });
  return lo < 0 ? null : { lo, hi };
}

// Flattens the document into one bitmap so the view draws one image per frame however
// many layers there are (DESIGN 6.8: layer count must not become Konva node count).
// A gesture splits the stack into [above | live | below] so a drag redraws only the
// layers it moves. Hidden layers are skipped entirely.
import type { BlendMode, Layer, LaminaDocument, RasterLayer } from '../../common/document/document-schema.ts';
import type { Rect } from '../editor/geometry.ts';
import type { Drawable, ImageCache } from './image-cache.ts';
import { maskedImage } from './masked-layer.ts';
import { layerUtil } from '../editor/layer-kinds/layer-utils.ts';

export const COMPOSITE_OPS: Record<BlendMode, GlobalCompositeOperation> = {
  normal: 'source-over', multiply: 'multiply', screen: 'screen', overlay: 'overlay', darken: 'darken',
  lighten: 'lighten', 'color-dodge': 'color-dodge', 'color-burn': 'color-burn', 'hard-light': 'hard-light',
  'soft-light': 'soft-light', difference: 'difference', exclusion: 'exclusion', hue: 'hue', saturation: 'saturation',
  color: 'color', luminosity: 'luminosity', 'linear-dodge': 'lighter',
};

/** Per-layer overrides while a gesture is live: a new box (move or scale), turned by
 * `angle` radians about its centre (free transform). */
export type Overrides = ReadonlyMap<string, Rect & { angle?: number }>;

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
    const util = layerUtil(l);
    if (!util.composited) continue; // regions are overlays, not pixels
    const imageId = util.imageId(l);
    if (!imageId) continue;
    const raw = cache.get(imageId);
    const img = raw && l.kind === 'raster' ? maskedImage(l, raw, cache) : raw;
    if (!img) continue;
    const own = util.rect(l) ?? { x: l.x, y: l.y, width: img.width, height: img.height };
    const r = overrides?.get(l.id) ?? { ...own, x: own.x + ox, y: own.y + oy };
    // a clipping layer shows only where its base (the first unclipped layer below) has alpha
    const base = l.kind === 'raster' && l.clip ? clipBase(layers, i) : null;
    const clipped = base ? clipToBase(img, r, base, cache, ox, oy) : img;
    if (!clipped) continue;
    ctx.save();
    ctx.globalAlpha = l.opacity;
    ctx.globalCompositeOperation = COMPOSITE_OPS[l.blendMode];
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    if ('angle' in r && r.angle) {
      ctx.translate(r.x + r.width / 2, r.y + r.height / 2);
      ctx.rotate(r.angle);
      ctx.drawImage(clipped, -r.width / 2, -r.height / 2, r.width, r.height);
    } else ctx.drawImage(clipped, r.x, r.y, r.width, r.height);
    ctx.restore();
  }
}

/** The base of a clipping layer at index i: the nearest sibling below it that does not clip. */
function clipBase(layers: readonly Layer[], i: number): RasterLayer | null {
  for (let j = i + 1; j < layers.length; j++) {
    const b = layers[j];
    if (b.kind === 'raster' && b.clip) continue;
    return b.kind === 'raster' && b.visible ? b : null;
  }
  return null;
}

/** `img` (drawn at r) cut to the alpha of the base layer; undefined while pixels load. */
function clipToBase(img: Drawable, r: { x: number; y: number; width: number; height: number }, base: RasterLayer, cache: ImageCache, ox: number, oy: number): Drawable | undefined {
  const raw = cache.get(base.imageId);
  const bimg = raw ? maskedImage(base, raw, cache) : undefined;
  if (!bimg) return undefined;
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(r.width));
  c.height = Math.max(1, Math.round(r.height));
  const cctx = c.getContext('2d')!;
  cctx.drawImage(img, 0, 0, c.width, c.height);
  cctx.globalCompositeOperation = 'destination-in';
  cctx.drawImage(bimg, base.x + ox - r.x, base.y + oy - r.y, base.width, base.height);
  return c;
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

/** True when painting `l` depends on its backdrop beyond plain source-over (so it cannot be pre-flattened on transparency). */
export function needsBackdrop(l: Layer): boolean {
  if (!l.visible) return false;
  if (l.blendMode !== 'normal') return true;
  if (l.kind === 'group') return l.opacity < 1 || l.children.some(needsBackdrop);
  return false;
}

/**
 * Root-level span [lo, hi] that must be repainted: layers whose content changed since the
 * last frame plus live (gesture) layers. Everything in front of the span that needs its
 * backdrop joins the span, so the cached front part is plain source-over.
 */
export function repaintSpan(sigs: readonly string[], prev: readonly string[] | null, live: { lo: number; hi: number } | null, layers: readonly Layer[]): { lo: number; hi: number } | null {
  let lo = Infinity, hi = -Infinity;
  if (!prev || prev.length !== sigs.length) return sigs.length ? { lo: 0, hi: sigs.length - 1 } : null;
  for (let i = 0; i < sigs.length; i++) if (sigs[i] !== prev[i]) { lo = Math.min(lo, i); hi = Math.max(hi, i); }
  if (live) { lo = Math.min(lo, live.lo); hi = Math.max(hi, live.hi); }
  if (lo === Infinity) return null;
  for (let i = 0; i < lo; i++) if (needsBackdrop(layers[i])) { lo = 0; break; }
  return { lo, hi };
}

/**
 * Keeps the flattened document across frames. A change (an opacity drag, a visibility
 * toggle, a moved layer) repaints only the root entries it touches: the layers behind and
 * in front of them are flattened once into two cached bitmaps and reused while the
 * gesture goes on, so a frame costs a few drawImage calls however deep the stack is.
 */
export class StackCompositor {
  private out: CompositeTarget | null = null;
  private sigs: string[] | null = null;
  private cacheVersion = -1;
  private size = '';
  private split: { lo: number; hi: number; key: string; above: CompositeTarget; below: CompositeTarget } | null = null;
  private prevLive: { lo: number; hi: number } | null = null;
  /** counters for tests and the bench */
  stats = { frames: 0, fullPaints: 0, splitBuilds: 0, partialPaints: 0 };

  render(doc: LaminaDocument, cache: ImageCache, cacheVersion: number, overrides?: Overrides): HTMLCanvasElement {
    this.stats.frames++;
    const size = `${doc.width}x${doc.height}`;
    const sigs = doc.layers.map((l) => JSON.stringify(l));
    const liveNow = overrides && overrides.size ? liveSpan(doc.layers, new Set(overrides.keys())) : null;
    // the span a gesture touched last frame must repaint too (it may have been cancelled)
    const prevLive = this.prevLive && this.prevLive.hi < doc.layers.length ? this.prevLive : null;
    const live = liveNow && prevLive ? { lo: Math.min(liveNow.lo, prevLive.lo), hi: Math.max(liveNow.hi, prevLive.hi) } : (liveNow ?? prevLive);
    this.prevLive = liveNow;
    // a clipping layer reads its base, which a split may put in another slice: paint all
    const invalid = !this.out || size !== this.size || cacheVersion !== this.cacheVersion || doc.layers.some((l) => l.kind === 'raster' && l.clip);
    const span = invalid ? (sigs.length ? { lo: 0, hi: sigs.length - 1 } : null) : repaintSpan(sigs, this.sigs, live, doc.layers);
    this.sigs = sigs;
    this.size = size;
    this.cacheVersion = cacheVersion;
    if (!this.out || size !== `${this.out.canvas.width / this.out.scale}x${this.out.canvas.height / this.out.scale}`) this.out = makeTarget(doc);
    const out = this.out;
    if (!span) return out.canvas; // nothing changed
    if (invalid || (span.lo === 0 && span.hi === sigs.length - 1)) {
      // everything: paint straight through, and forget the split
      makeTarget(doc, out);
      paintLayers(out.ctx, doc.layers, cache, out.scale, overrides);
      this.split = null;
      this.stats.fullPaints++;
      return out.canvas;
    }
    const key = `${size}|${sigs.slice(0, span.lo).join('\u0000')}|${sigs.slice(span.hi + 1).join('\u0000')}`;
    if (!this.split || this.split.lo !== span.lo || this.split.hi !== span.hi || this.split.key !== key) {
      const above = makeTarget(doc, this.split?.above);
      paintLayers(above.ctx, doc.layers.slice(0, span.lo), cache, above.scale);
      const below = makeTarget(doc, this.split?.below);
      paintLayers(below.ctx, doc.layers.slice(span.hi + 1), cache, below.scale);
      this.split = { lo: span.lo, hi: span.hi, key, above, below };
      this.stats.splitBuilds++;
    }
    makeTarget(doc, out);
    out.ctx.drawImage(this.split.below.canvas, 0, 0);
    paintLayers(out.ctx, doc.layers.slice(span.lo, span.hi + 1), cache, out.scale, overrides);
    out.ctx.drawImage(this.split.above.canvas, 0, 0);
    this.stats.partialPaints++;
    return out.canvas;
  }
}

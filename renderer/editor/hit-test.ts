// Hit testing: which layer is under a canvas point? Front to back, visible only; raster
// layers can consult an alpha sampler so that clicks through transparent pixels fall
// to the layer below (Photoshop's "auto-select" behaviour).
import type { Layer } from '../../common/document/document-schema.ts';
import type { Point } from './geometry.ts';
import { rectContains } from './geometry.ts';
import { layerUtil } from './layer-kinds/layer-utils.ts';

/** Returns alpha 0..255 of `layer` at layer-local pixel (x, y), or null if unknown. */
export type AlphaSampler = (layer: Layer, x: number, y: number) => number | null;

export interface HitOptions {
  /** include region layers (false when overlays are hidden) */
  regions: boolean;
  alpha?: AlphaSampler;
  /** alpha at or below this counts as transparent */
  alphaThreshold?: number;
}

export interface Hit {
  layer: Layer;
  /** ids of the groups containing the layer, outermost first */
  path: string[];
}

export function hitTest(layers: readonly Layer[], p: Point, opts: HitOptions): Hit | null {
  return visit(layers, p, opts, 0, 0, []);
}

function visit(layers: readonly Layer[], p: Point, opts: HitOptions, ox: number, oy: number, path: string[]): Hit | null {
  for (const layer of layers) {
    if (!layer.visible) continue;
    const util = layerUtil(layer);
    const children = util.children(layer);
    if (children.length) {
      const inner = visit(children, p, opts, ox + layer.x, oy + layer.y, [...path, layer.id]);
      if (inner) return inner;
      continue;
    }
    if (!util.hittable(layer, opts)) continue;
    const r = util.rect(layer);
    if (!r) continue;
    const local = { x: p.x - ox, y: p.y - oy };
    if (!rectContains(r, local)) continue;
    if (util.alphaHits(layer) && opts.alpha) {
      const a = opts.alpha(layer, Math.floor(local.x - r.x), Math.floor(local.y - r.y));
      if (a !== null && a <= (opts.alphaThreshold ?? 8)) continue;
    }
    return { layer, path };
  }
  return null;
}

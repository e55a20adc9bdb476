// What the editor, canvas and panels need to know about a layer, asked of its kind's
// utility instead of switching on `layer.kind` in each place (after tldraw's ShapeUtil).
// One file per kind (raster-util.ts, text-util.ts, region-util.ts, group-util.ts); the
// registry (layer-utils.ts) maps a kind to its utility. Adding a kind: a file and one entry.
import type { Layer } from '../../../common/document/document-schema.ts';
import type { LayerPatch } from '../../../common/document/document-ops.ts';
import type { Rect } from '../geometry.ts';

/** New pixels for an image, resampled to width x height (stored in the engine). */
export type Resample = (imageId: string, width: number, height: number) => Promise<{ imageId: string; width: number; height: number }>;

export interface LayerUtil<L extends Layer = Layer> {
  readonly kind: L['kind'];
  /** Its own box in its parent's coordinates; a group's is the union of its children; null when sizeless. */
  rect(layer: L): Rect | null;
  /** The pixels it shows (raster, rendered text) or is cut by (a mask region); null when none. */
  imageId(layer: L): string | null;
  /** Composited as pixels into the canvas (regions are overlays; groups composite their children). */
  readonly composited: boolean;
  /** A click can select it (regions only while region overlays show); groups are hit through their children. */
  hittable(layer: L, view: { regions: boolean }): boolean;
  /** Clicks through its transparent pixels fall to the layer below. */
  alphaHits(layer: L): boolean;
  /** The transform handles can scale it. */
  resizable(layer: L): boolean;
  /** The patch that puts it at `to` (absolute box already made relative by the caller), resampling pixels when the size changes. */
  resize(layer: L, to: Rect, resample: Resample): Promise<LayerPatch>;
  /** Its children (groups), front first. */
  children(layer: L): readonly Layer[];
}

// The registry of layer utilities, one per kind (./layer-util.ts).
import type { Layer } from '../../../common/document/document-schema.ts';
import { groupUtil } from './group-util.ts';
import type { LayerUtil } from './layer-util.ts';
import { rasterUtil } from './raster-util.ts';
import { regionUtil } from './region-util.ts';
import { textUtil } from './text-util.ts';

type Utils = { [K in Layer['kind']]: LayerUtil<Extract<Layer, { kind: K }>> };
let utils: Utils | null = null;

/** The utility of a layer's kind. */
export function layerUtil<L extends Layer>(layer: L): LayerUtil<L> {
  // built on first use: group-util imports this file back
  utils ??= { raster: rasterUtil, text: textUtil, region: regionUtil, group: groupUtil };
  return utils[layer.kind] as unknown as LayerUtil<L>;
}

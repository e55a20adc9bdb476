// Raster layers: pixels of their own size, hit through alpha, resized by resampling.
import type { RasterLayer } from '../../../common/document/document-schema.ts';
import type { LayerUtil } from './layer-util.ts';

export const rasterUtil: LayerUtil<RasterLayer> = {
  kind: 'raster',
  rect: (l) => ({ x: l.x, y: l.y, width: l.width, height: l.height }),
  imageId: (l) => l.imageId,
  composited: true,
  hittable: () => true,
  alphaHits: () => true,
  resizable: () => true,
  async resize(l, to, resample) {
    if (to.width === l.width && to.height === l.height) return { x: to.x, y: to.y };
    const put = await resample(l.imageId, to.width, to.height);
    return { x: to.x, y: to.y, imageId: put.imageId, width: put.width, height: put.height };
  },
  children: () => [],
};

// Region layers: inputs to generation drawn as overlays, never composited; a box or a
// painted mask (hit through its alpha, resampled when scaled).
import type { RegionLayer } from '../../../common/document/document-schema.ts';
import type { LayerUtil } from './layer-util.ts';

export const regionUtil: LayerUtil<RegionLayer> = {
  kind: 'region',
  rect: (l) => ({ x: l.x, y: l.y, width: l.shape.width, height: l.shape.height }),
  imageId: (l) => (l.shape.type === 'mask' ? l.shape.maskImageId : null),
  composited: false,
  hittable: (_l, view) => view.regions,
  alphaHits: (l) => l.shape.type === 'mask',
  resizable: () => true,
  async resize(l, to, resample) {
    const s = l.shape;
    if (s.type === 'box') return { x: to.x, y: to.y, shape: { type: 'box', width: to.width, height: to.height } };
    if (to.width === s.width && to.height === s.height) return { x: to.x, y: to.y };
    const put = await resample(s.maskImageId, to.width, to.height);
    return { x: to.x, y: to.y, shape: { type: 'mask', width: put.width, height: put.height, maskImageId: put.imageId } };
  },
  children: () => [],
};

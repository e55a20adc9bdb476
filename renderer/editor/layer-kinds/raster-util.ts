// Raster layers: pixels of their own size, hit through alpha, resized by resampling (the
// layer mask with them).
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
    const m = l.mask;
    const sx = to.width / l.width, sy = to.height / l.height;
    // a layer mask moves and scales with its layer (its own box, relative to the layer's)
    const maskTo = m && { x: Math.round(to.x + (m.x - l.x) * sx), y: Math.round(to.y + (m.y - l.y) * sy), width: Math.max(1, Math.round(m.width * sx)), height: Math.max(1, Math.round(m.height * sy)) };
    if (to.width === l.width && to.height === l.height) return { x: to.x, y: to.y, ...(m && maskTo ? { mask: { ...m, x: maskTo.x, y: maskTo.y } } : {}) };
    const put = await resample(l.imageId, to.width, to.height);
    const patch = { x: to.x, y: to.y, imageId: put.imageId, width: put.width, height: put.height };
    if (!m || !maskTo) return patch;
    const mk = maskTo.width === m.width && maskTo.height === m.height ? { imageId: m.imageId } : await resample(m.imageId, maskTo.width, maskTo.height);
    return { ...patch, mask: { ...m, ...maskTo, imageId: mk.imageId } };
  },
  children: () => [],
};

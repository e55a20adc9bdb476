// Text layers: rendered pixels when they have them (sized by the layer or the image);
// selected by their box, not resized by handles (re-rendering text is the engine's).
import type { TextLayer } from '../../../common/document/document-schema.ts';
import type { LayerUtil } from './layer-util.ts';

export const textUtil: LayerUtil<TextLayer> = {
  kind: 'text',
  rect: (l) => (l.width && l.height ? { x: l.x, y: l.y, width: l.width, height: l.height } : null),
  imageId: (l) => l.imageId ?? null,
  composited: true,
  hittable: () => true,
  alphaHits: () => false,
  resizable: () => false,
  resize: async (_l, to) => ({ x: to.x, y: to.y }),
  children: () => [],
};

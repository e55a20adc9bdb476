// Group layers: no pixels or box of their own; their box is the union of their
// children's (offset by the group's x/y), and clicks go to the children.
import type { GroupLayer } from '../../../common/document/document-schema.ts';
import { rectUnion, type Rect } from '../geometry.ts';
import type { LayerUtil } from './layer-util.ts';
import { layerUtil } from './layer-utils.ts';

export const groupUtil: LayerUtil<GroupLayer> = {
  kind: 'group',
  rect(l) {
    let out: Rect | null = null;
    for (const child of l.children) {
      const r = layerUtil(child).rect(child);
      if (!r) continue;
      const moved = { ...r, x: r.x + l.x, y: r.y + l.y };
      out = out ? rectUnion(out, moved) : moved;
    }
    return out;
  },
  imageId: () => null,
  composited: false,
  hittable: () => false,
  alphaHits: () => false,
  resizable: () => false,
  resize: async (_l, to) => ({ x: to.x, y: to.y }),
  children: (l) => l.children,
};

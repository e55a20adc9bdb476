// A raster layer's pixels with its layer mask applied (alpha times the mask's grey;
// the mask's default colour outside its box), as a canvas the compositor draws. Built
// once per (pixels, mask) pair and kept in a small cache, since both ids are immutable.
import type { RasterLayer } from '../../common/document/document-schema.ts';
import type { Drawable, ImageCache } from './image-cache.ts';

const built = new Map<string, HTMLCanvasElement>();

function keyOf(l: RasterLayer): string {
  const m = l.mask!;
  return `${l.imageId}|${l.width}x${l.height}|${m.imageId}|${m.x - l.x},${m.y - l.y}|${m.defaultColor}`;
}

/** The layer's image masked, or the image itself when it has no enabled mask; undefined while pixels load. */
export function maskedImage(l: RasterLayer, img: Drawable, cache: ImageCache): Drawable | undefined {
  const m = l.mask;
  if (!m || !m.enabled) return img;
  const key = keyOf(l);
  const hit = built.get(key);
  if (hit) return hit;
  const maskImg = cache.get(m.imageId);
  if (!maskImg) return undefined;
  const w = Math.max(1, l.width), h = Math.max(1, l.height);
  // grey -> alpha over the layer's box
  const a = document.createElement('canvas');
  a.width = w;
  a.height = h;
  const actx = a.getContext('2d', { willReadFrequently: true })!;
  actx.fillStyle = m.defaultColor ? '#fff' : '#000';
  actx.fillRect(0, 0, w, h);
  actx.drawImage(maskImg, m.x - l.x, m.y - l.y, m.width, m.height);
  const data = actx.getImageData(0, 0, w, h);
  for (let i = 0; i < data.data.length; i += 4) data.data[i + 3] = data.data[i];
  actx.putImageData(data, 0, 0);
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const octx = out.getContext('2d')!;
  octx.drawImage(img, 0, 0, w, h);
  octx.globalCompositeOperation = 'destination-in';
  octx.drawImage(a, 0, 0);
  built.set(key, out);
  if (built.size > 24) built.delete(built.keys().next().value!);
  return out;
}

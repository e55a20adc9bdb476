// The editor's pixel work done with a 2D canvas: mask rasterizing, resampling, merge down.
import type { PixelServices, PlacedImage } from '../editor/pixel-services.ts';
import type { Rect } from '../editor/geometry.ts';
import { rectUnion } from '../editor/geometry.ts';
import { densify } from '../editor/mask.ts';
import { layerUtil } from '../editor/layer-kinds/layer-utils.ts';
import type { AlphaSampler } from '../editor/hit-test.ts';
import { canvasToRgba, type ImageCache } from './image-cache.ts';
import { COMPOSITE_OPS } from './compositor.ts';
import { rasterizeText } from './text-raster.ts';

function canvas(w: number, h: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(w));
  c.height = Math.max(1, Math.round(h));
  return [c, c.getContext('2d', { willReadFrequently: true })!];
}

export function createPixelServices(cache: ImageCache): PixelServices {
  const need = async (id: string) => {
    const img = await cache.load(id);
    if (!img) throw new Error(`image ${id} could not be loaded`);
    return img;
  };
  const alphaAt: AlphaSampler = (layer, x, y) => {
    const imageId = layerUtil(layer).imageId(layer);
    return imageId ? cache.alphaAt(imageId, x, y) : null;
  };
  return {
    alphaAt,
    rasterizeText,
    async rasterizeMask({ bounds, base, stroke }) {
      const [c, ctx] = canvas(bounds.width, bounds.height);
      if (base) ctx.drawImage(await need(base.imageId), base.rect.x - bounds.x, base.rect.y - bounds.y, base.rect.width, base.rect.height);
      ctx.globalCompositeOperation = stroke.erase ? 'destination-out' : 'source-over';
      ctx.fillStyle = '#ffffff';
      for (const p of densify(stroke.points, stroke.radius / 3)) {
        ctx.beginPath();
        ctx.arc(p.x - bounds.x, p.y - bounds.y, stroke.radius, 0, Math.PI * 2);
        ctx.fill();
      }
      const raw = canvasToRgba(c);
      for (let i = 3; i < raw.rgba.length; i += 4) if (raw.rgba[i] > 0) return raw;
      return null;
    },
    async resample(imageId, width, height) {
      const img = await need(imageId);
      const [c, ctx] = canvas(width, height);
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, 0, 0, c.width, c.height);
      return canvasToRgba(c);
    },
    async mergeDown(upper: PlacedImage, lower: PlacedImage) {
      const rect: Rect = rectUnion(upper.rect, lower.rect);
      const [c, ctx] = canvas(rect.width, rect.height);
      ctx.drawImage(await need(lower.imageId), lower.rect.x - rect.x, lower.rect.y - rect.y, lower.rect.width, lower.rect.height);
      ctx.globalAlpha = upper.opacity;
      ctx.globalCompositeOperation = COMPOSITE_OPS[upper.blendMode];
      ctx.drawImage(await need(upper.imageId), upper.rect.x - rect.x, upper.rect.y - rect.y, upper.rect.width, upper.rect.height);
      return { image: canvasToRgba(c), rect };
    },
  };
}

// ag-psd pixel data -> Lamina's 8-bit straight RGBA: bit-depth conversion and layer masks.
import type { LayerMaskData, PixelData } from 'ag-psd';
import type { RgbaImage } from '../imaging/rgba-image.ts';

/**
 * 8 bit: copied; 16 bit: scaled to 8 bit; 32 bit: Photoshop stores linear light in [0, 1],
 * so colour is sRGB-encoded (alpha stays linear) and clamped.
 */
export function toRgba8(pixels: PixelData): RgbaImage {
  const { width, height, data: src } = pixels;
  const out = new Uint8Array(width * height * 4);
  if (src instanceof Uint8Array || src instanceof Uint8ClampedArray) out.set(src.subarray(0, out.length));
  else if (src instanceof Uint16Array) for (let i = 0; i < out.length; i++) out[i] = Math.round(src[i] / 257);
  else for (let i = 0; i < out.length; i++) out[i] = toByte((i & 3) === 3 ? src[i] : linearToSrgb(src[i]));
  return { width, height, data: out };
}

function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
}

/**
 * Multiplies the layer's alpha by its (enabled) user mask. The layer's top-left is at
 * (left, top) on the canvas; outside its own box the mask has `defaultColor`.
 */
export function applyLayerMask(image: RgbaImage, left: number, top: number, mask: LayerMaskData): RgbaImage {
  if (mask.disabled || !mask.imageData) return image;
  const m = toRgba8(mask.imageData);
  const mLeft = mask.left ?? 0;
  const mTop = mask.top ?? 0;
  const outside = mask.defaultColor ?? 255;
  const data = image.data.slice();
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const mx = left + x - mLeft;
      const my = top + y - mTop;
      const inside = mx >= 0 && my >= 0 && mx < m.width && my < m.height;
      const value = inside ? m.data[(my * m.width + mx) * 4] : outside;
      const o = (y * image.width + x) * 4 + 3;
      data[o] = Math.round((data[o] * value) / 255);
    }
  }
  return { width: image.width, height: image.height, data };
}

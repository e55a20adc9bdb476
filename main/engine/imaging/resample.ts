// Resizes straight-alpha RGBA with sharp (Lanczos by default, or nearest neighbour for hard
// pixel edges): 'fill' stretches, 'cover' scales to cover and centre-crops.
import sharp from 'sharp';
import type { Upscale } from '../../../common/contract/generation-spec.ts';
import type { RgbaImage } from './rgba-image.ts';

const KERNELS = { lanczos: 'lanczos3', nearest: 'nearest' } as const satisfies Record<Upscale, string>;

export async function resample(img: RgbaImage, width: number, height: number, fit: 'fill' | 'cover', kernel: Upscale = 'lanczos'): Promise<RgbaImage> {
  const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize(width, height, { fit, kernel: KERNELS[kernel] })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Shrinks to fit `maxSide` (never enlarges). */
export async function fitWithin(img: RgbaImage, maxSide: number): Promise<RgbaImage> {
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (scale >= 1) return img;
  return resample(img, Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)), 'fill');
}

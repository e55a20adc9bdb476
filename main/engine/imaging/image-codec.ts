// Image file bytes <-> RgbaImage, via sharp. Sizes are checked from the header BEFORE any
// pixel is decoded, so a hostile header cannot make us allocate gigabytes.
import sharp from 'sharp';
import { LIMITS } from '../../../common/contract/limits.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { firstLine } from './first-line.ts';
import type { RgbaImage } from './rgba-image.ts';

export const MAX_IMAGE_SIDE = LIMITS.canvasSide.max;
export const MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE; // 268,435,456

/** Throws LaminaError('too_large') when width x height is past the limits. */
export function assertImageSize(width: number, height: number, what = 'image'): void {
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    throw new LaminaError('too_large', `${what} is ${width}x${height} px; Lamina opens images up to ${MAX_IMAGE_SIDE}x${MAX_IMAGE_SIDE} px`);
  }
}

/** Reads only the header: width and height. */
export async function readImageSize(bytes: Uint8Array, what = 'image'): Promise<{ width: number; height: number }> {
  const png = pngHeaderSize(bytes);
  if (png) return png;
  // an empty buffer makes sharp's constructor throw synchronously, outside the promise
  if (bytes.length === 0) throw new LaminaError('bad_file', `${what} is empty (0 bytes), not an image`);
  const meta = await Promise.resolve()
    .then(() => sharp(bytes, { limitInputPixels: false }).metadata())
    .catch((err: unknown) => {
      throw new LaminaError('bad_file', `${what} is not a readable PNG, JPEG or WebP image (${firstLine(err)})`);
    });
  if (!meta.width || !meta.height) throw new LaminaError('bad_file', `${what} has no width or height in its header`);
  return { width: meta.width, height: meta.height };
}

/** Decodes PNG / JPEG / WebP (anything sharp reads) to straight-alpha sRGB RGBA, 8 bit. */
export async function decodeImage(bytes: Uint8Array, what = 'image'): Promise<RgbaImage> {
  const { width, height } = await readImageSize(bytes, what);
  assertImageSize(width, height, what);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new LaminaError('bad_file', `${what} could not be decoded (${firstLine(err)})`);
  }
}

/** What decodeImage converts on the way in, said in words: a 16-bit image is reduced to
 * 8 bits per channel, CMYK or greyscale to sRGB (empty for an 8-bit sRGB picture). */
export async function sourceConversionNotes(bytes: Uint8Array): Promise<string[]> {
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => null);
  if (!meta) return [];
  const notes: string[] = [];
  if (meta.depth && !['uchar', 'char'].includes(meta.depth)) notes.push(`${meta.depth === 'ushort' ? '16' : meta.depth}-bit channels converted to 8-bit`);
  if (meta.space && !['srgb', 'rgb', 'rgb16'].includes(meta.space)) notes.push(`${['b-w', 'grey16'].includes(meta.space) ? 'greyscale' : meta.space.toUpperCase()} converted to sRGB`);
  return notes;
}

export async function encodePng(img: RgbaImage): Promise<Uint8Array> {
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 }, limitInputPixels: MAX_IMAGE_PIXELS })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Encodes named images; sharp runs the encodes in parallel on its thread pool. */
export async function encodePngs(images: ReadonlyMap<string, RgbaImage>): Promise<Map<string, Uint8Array>> {
  const pngs = await Promise.all([...images.values()].map(encodePng));
  return new Map([...images.keys()].map((name, i) => [name, pngs[i]]));
}

/** Downscales (never upscales) so that neither side exceeds `maxSide`. */
export async function resizeToFit(img: RgbaImage, maxSide: number): Promise<RgbaImage> {
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (scale >= 1) return img;
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 }, limitInputPixels: MAX_IMAGE_PIXELS })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Width and height straight from a PNG's IHDR chunk (libspng refuses to even parse headers
 * past its own limits, which would hide the real reason from the user).
 */
function pngHeaderSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return null;
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  return width > 0 && height > 0 ? { width, height } : null;
}

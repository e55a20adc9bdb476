// How a pipeline hands an image to a task result: the pixels a ResultLayer carries
// (common/contract/task-results.ts). One function, so every pipeline packs pixels alike.
import { encodePng } from './image-codec.ts';
import type { RgbaImage } from './rgba-image.ts';

export async function resultPixels(image: RgbaImage): Promise<{ width: number; height: number; pngBase64: string }> {
  return { width: image.width, height: image.height, pngBase64: Buffer.from(await encodePng(image)).toString('base64') };
}

// How a pipeline hands an image to a task result: the raw RGBA a ResultLayer carries
// (common/contract/task-results.ts), in a buffer of its own so the worker can transfer it
// to the engine without a copy (jobs/transferables.ts). One function for every pipeline.
import type { RgbaImage } from './rgba-image.ts';

export function resultPixels(image: RgbaImage): { width: number; height: number; rgba: Uint8Array<ArrayBuffer> } {
  // a copy we own: sharp's or a pool's buffer may not be detachable, and the pipeline keeps its image
  return { width: image.width, height: image.height, rgba: new Uint8Array(image.data) };
}

// The inpaint method of decomposition (mask-and-inpaint, LayerDecomp's baseline): the
// background is the image with the mask filled by Telea inpainting, the foreground is
// the mask cut out of the image. A shadow outside the mask stays in the background;
// the model method (issue 16) is what keeps it with the object.
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import type { ObjectMask } from './decompose-mask.ts';
import { teleaInpaint } from './telea-inpaint.ts';

export interface Decomposition {
  /** the image without the object, its hole filled */
  background: RgbaImage;
  /** the object: straight RGBA, transparent outside it */
  foreground: RgbaImage;
}

export const TELEA_RADIUS = 3;

export function inpaintDecomposition(image: RgbaImage, mask: ObjectMask): Decomposition {
  const { width, height } = image;
  const background = { width, height, data: teleaInpaint(image.data, width, height, mask.data, TELEA_RADIUS) };
  const fg = new Uint8Array(image.data.length);
  for (let p = 0; p < width * height; p++) {
    if (!mask.data[p]) continue;
    fg.set(image.data.subarray(p * 4, p * 4 + 4), p * 4);
  }
  return { background, foreground: { width, height, data: fg } };
}

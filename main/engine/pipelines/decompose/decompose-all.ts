// "Decompose all" (LayerDecomp, issue 16): peel the picture front to back. Each peel asks
// the model for the front-most layer with no mask (./decompose-model.ts), takes the
// foreground off and peels the background that is left, until the model finds nothing
// (the layer count is the model's) or the cap is reached. Pure control flow and one
// small mask kernel; the peels themselves are passed in.
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import type { Decomposition } from './decompose-inpaint.ts';
import type { ObjectMask } from './decompose-mask.ts';

/** A foreground pixel belongs to the object from this alpha up (the world's drop shadows
 * are 40 % black: a shadow alone stays below it, so it is not taken for an object). */
export const OBJECT_ALPHA = 128;
/** The smallest object a prediction counts as: this share of the image (at least 8 px). */
export const MIN_OBJECT_SHARE = 0.002;

/** The object's mask predicted from a foreground's alpha; null when nothing (or
 * everything, which no object is) is that opaque. */
export function predictedMask(fg: RgbaImage): ObjectMask | null {
  const n = fg.width * fg.height;
  const data = new Uint8Array(n);
  let on = 0;
  for (let p = 0; p < n; p++) if (fg.data[p * 4 + 3] >= OBJECT_ALPHA) { data[p] = 1; on++; }
  if (on < Math.max(8, MIN_OBJECT_SHARE * n) || on === n) return null;
  return { width: fg.width, height: fg.height, data };
}

export interface Peel extends Decomposition {
  /** the object's mask, null: nothing was found (the peeling stops) */
  mask: ObjectMask | null;
}

export interface PeeledLayers {
  /** what is left at the end: the image without every object found */
  background: RgbaImage;
  /** the objects, back to front (the first found is the front-most, so last here) */
  foregrounds: RgbaImage[];
  /** why it stopped: the model found nothing more, or `cap` objects were taken */
  stopped: 'nothing-left' | 'cap';
}

/** Peel `image` front to back with `peel` (called with the current background and the
 * peel's index) until it finds nothing or `cap` foregrounds are taken. */
export async function peelAll(image: RgbaImage, cap: number, peel: (current: RgbaImage, k: number) => Promise<Peel>): Promise<PeeledLayers> {
  const frontFirst: RgbaImage[] = [];
  let current = image;
  while (frontFirst.length < cap) {
    const out = await peel(current, frontFirst.length);
    if (!out.mask) return { background: current, foregrounds: frontFirst.reverse(), stopped: 'nothing-left' };
    frontFirst.push(out.foreground);
    current = out.background;
  }
  return { background: current, foregrounds: frontFirst.reverse(), stopped: 'cap' };
}

/** The name of peeled object k (0 = the back-most) of n: "Object 2 (front)", "Object 1 (back)". */
export function peeledObjectName(k: number, n: number): string {
  return `Object ${k + 1}${n > 1 ? (k === n - 1 ? ' (front)' : k === 0 ? ' (back)' : '') : ''}`;
}

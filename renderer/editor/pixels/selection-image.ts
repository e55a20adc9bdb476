// A pixel selection as an RGBA image (grey = how selected, alpha 255): the form the
// engine takes a mask in (regenerate a selection; white = regenerate).
import type { RawImage } from '../../../common/contract/raw-image.ts';
import type { SelectionMask } from './selection-mask.ts';

export function selectionAsImage(sel: SelectionMask): RawImage {
  const rgba = new Uint8Array(sel.width * sel.height * 4);
  for (let i = 0; i < sel.data.length; i++) {
    const v = sel.data[i];
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  return { width: sel.width, height: sel.height, rgba };
}

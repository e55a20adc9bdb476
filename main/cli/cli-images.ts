// Pictures the CLI reads: a flat image file, or a document (.ora / .psd) flattened to its
// composite, with what was converted on the way (16-bit, CMYK, greyscale -> 8-bit sRGB).
import { readFile } from 'node:fs/promises';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import { readDocumentFile } from '../engine/document/document-files.ts';
import { compositeDocument } from '../engine/imaging/composite.ts';
import { decodeImage, sourceConversionNotes } from '../engine/imaging/image-codec.ts';
import { ImageStore } from '../engine/imaging/image-store.ts';
import type { RgbaImage } from '../engine/imaging/rgba-image.ts';

export async function readFlatImage(path: string, what: string): Promise<{ image: RgbaImage; notes: string[] }> {
  if (/\.(ora|psd)$/i.test(path)) {
    const store = new ImageStore();
    const doc = await readDocumentFile({ path }, store);
    return { image: compositeDocument(doc, store), notes: [`${what}: ${doc.layers.length} layer(s) of ${path} flattened`] };
  }
  const bytes = await readFile(path).then((b) => new Uint8Array(b), (err: NodeJS.ErrnoException) => {
    throw new LaminaError(err.code === 'ENOENT' ? 'not_found' : 'io_error', `${what} "${path}" ${err.code === 'ENOENT' ? 'does not exist' : `could not be read (${err.code ?? err.message})`}`);
  });
  const image = await decodeImage(bytes, what);
  return { image, notes: (await sourceConversionNotes(bytes)).map((n) => `${what}: ${n}`) };
}

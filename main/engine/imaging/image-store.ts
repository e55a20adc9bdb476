// Immutable pixel buffers of a document, by id. Layers reference images by id, so undo
// states share pixels; new pixels always get a new id.
import { randomUUID } from 'node:crypto';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { RgbaImage } from './rgba-image.ts';

export class ImageStore {
  private readonly images = new Map<string, RgbaImage>();

  put(image: RgbaImage, id: string = randomUUID()): string {
    if (image.data.length !== image.width * image.height * 4) {
      throw new LaminaError('internal', `image ${id}: ${image.data.length} bytes for ${image.width}x${image.height}`);
    }
    this.images.set(id, image);
    return id;
  }

  get(id: string): RgbaImage {
    const image = this.images.get(id);
    if (!image) throw new LaminaError('not_found', `no image with id "${id}"`);
    return image;
  }

  has(id: string): boolean {
    return this.images.has(id);
  }

  ids(): IterableIterator<string> {
    return this.images.keys();
  }

  /** Drops every image not in `keep` (called with the ids all history states reference). */
  retain(keep: ReadonlySet<string>): number {
    let dropped = 0;
    for (const id of [...this.images.keys()]) {
      if (!keep.has(id)) {
        this.images.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  get byteSize(): number {
    let n = 0;
    for (const img of this.images.values()) n += img.data.byteLength;
    return n;
  }
}

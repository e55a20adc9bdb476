// What every reader returns, and the staging area readers put decoded pixels in: images
// reach the document's store only once the whole file has been read successfully.
import { randomUUID } from 'node:crypto';
import type { LaminaDocument } from '../../../common/document/document-schema.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';

export interface DocumentImport {
  document: LaminaDocument;
  /** One line per thing that was converted or dropped on the way in. */
  warnings: string[];
}

export class StagedImages {
  private readonly images = new Map<string, RgbaImage>();

  /**
   * Stages `image` and returns its id. Fresh ids are UUIDs, so images from a foreign file
   * never collide with ids already in a store they are later merged into.
   */
  add(image: RgbaImage, id: string = randomUUID()): string {
    this.images.set(id, image);
    return id;
  }

  get(id: string): RgbaImage | undefined {
    return this.images.get(id);
  }

  commit(store: ImageStore): void {
    for (const [id, image] of this.images) store.put(image, id);
  }
}

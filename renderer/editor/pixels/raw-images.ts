// Raw RGBA of document images, fetched once by id ('document.image'; ids are immutable)
// and kept in a small LRU, so a second stroke on a layer does not fetch it again. Images
// the editor puts itself are remembered as they go in.
import type { LaminaClient } from '../../../common/contract/contract.ts';
import type { RawImage } from '../../../common/contract/raw-image.ts';

export class RawImages {
  private images = new Map<string, Promise<RawImage>>();

  constructor(
    private readonly client: () => LaminaClient,
    private readonly limit = 12,
  ) {}

  get(docId: string, imageId: string): Promise<RawImage> {
    let p = this.images.get(imageId);
    if (p) this.images.delete(imageId);
    else p = this.client().call('document.image', { docId, imageId });
    this.images.set(imageId, p);
    p.catch(() => this.images.delete(imageId));
    this.trim();
    return p;
  }

  /** Stores `image` in the engine and remembers it under its new id. */
  async put(docId: string, image: RawImage): Promise<{ imageId: string; width: number; height: number }> {
    const put = await this.client().call('document.putImage', { docId, image });
    this.images.set(put.imageId, Promise.resolve(image));
    this.trim();
    return put;
  }

  private trim(): void {
    while (this.images.size > this.limit) this.images.delete(this.images.keys().next().value!);
  }
}

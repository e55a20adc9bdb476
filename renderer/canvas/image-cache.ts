// Decoded pixels per image id (images are immutable, so an id is cached forever for its
// document). Loads raw RGBA through 'document.image'; listeners hear when new pixels arrive.
import type { LaminaClient } from '../../common/contract/contract.ts';
import type { RawImage } from '../../common/contract/raw-image.ts';

export type Drawable = ImageBitmap | HTMLCanvasElement | HTMLImageElement;

/** Raw RGBA (from the engine, no PNG) -> a bitmap the canvas draws. */
export function rgbaToBitmap({ width, height, rgba }: RawImage): Promise<ImageBitmap> {
  const pixels = new ImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.byteLength), width, height);
  return createImageBitmap(pixels, { premultiplyAlpha: 'default', colorSpaceConversion: 'none' });
}

/** A canvas's pixels as raw RGBA for document.putImage. */
export function canvasToRgba(canvas: HTMLCanvasElement): RawImage {
  const data = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height).data;
  return { width: canvas.width, height: canvas.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export class ImageCache {
  private images = new Map<string, Drawable>();
  private loading = new Map<string, Promise<Drawable | null>>();
  private alpha = new Map<string, { w: number; h: number; a: Uint8Array }>();
  private listeners = new Set<() => void>();
  private docId: string | null = null;
  /** bumps when pixels arrive; use as a memo key */
  version = 0;

  constructor(
    private readonly client: LaminaClient,
    private readonly onError?: (err: unknown) => void,
  ) {}

  setDocument(docId: string | null): void {
    if (docId === this.docId) return;
    this.docId = docId;
    for (const img of this.images.values()) if ('close' in img) img.close();
    this.images.clear();
    this.loading.clear();
    this.alpha.clear();
    this.bump();
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private notifyTimer: ReturnType<typeof setTimeout> | null = null;

  /** New pixels: bump the version now, tell listeners at most every 50 ms (a 50-layer file loads in one repaint or a few). */
  private bump(): void {
    this.version++;
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      for (const l of this.listeners) l();
    }, 50);
  }

  get(imageId: string): Drawable | undefined {
    const img = this.images.get(imageId);
    if (!img && !this.loading.has(imageId)) void this.load(imageId);
    return img;
  }

  has(imageId: string): boolean {
    return this.images.has(imageId);
  }

  /** Put pixels we made ourselves (a painted mask) so they show before the round trip. */
  put(imageId: string, img: Drawable): void {
    this.images.set(imageId, img);
    this.bump();
  }

  load(imageId: string): Promise<Drawable | null> {
    const existing = this.images.get(imageId);
    if (existing) return Promise.resolve(existing);
    const inflight = this.loading.get(imageId);
    if (inflight) return inflight;
    const docId = this.docId;
    if (!docId) return Promise.resolve(null);
    const p = (async () => {
      try {
        const r = await this.client.call('document.image', { docId, imageId });
        const bmp = await rgbaToBitmap(r);
        if (this.docId !== docId) return null;
        this.images.set(imageId, bmp);
        this.bump();
        return bmp;
      } catch (err) {
        this.onError?.(err);
        return null;
      } finally {
        this.loading.delete(imageId);
      }
    })();
    this.loading.set(imageId, p);
    return p;
  }

  /** Wait until every id is decoded (e2e and export helpers). */
  async loadAll(ids: Iterable<string>): Promise<void> {
    await Promise.all([...ids].map((id) => this.load(id)));
  }

  /** Alpha 0..255 at (x, y) of an image, or null until its pixels are here. */
  alphaAt(imageId: string, x: number, y: number): number | null {
    let a = this.alpha.get(imageId);
    if (!a) {
      const img = this.images.get(imageId);
      if (!img) return null;
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      const out = new Uint8Array(c.width * c.height);
      for (let i = 0; i < out.length; i++) out[i] = data[i * 4 + 3];
      a = { w: c.width, h: c.height, a: out };
      this.alpha.set(imageId, a);
    }
    if (x < 0 || y < 0 || x >= a.w || y >= a.h) return 0;
    return a.a[y * a.w + x];
  }
}

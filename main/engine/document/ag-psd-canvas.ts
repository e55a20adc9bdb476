// ag-psd wants a canvas factory even when it only hands out imageData. In Node we give it
// plain objects (DESIGN.md section 7); with `useImageData: true` nothing draws on them.
import { initializeCanvas } from 'ag-psd';

let initialized = false;

export function ensureAgPsdCanvas(): void {
  if (initialized) return;
  const plain = (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) });
  initializeCanvas(plain as unknown as (w: number, h: number) => HTMLCanvasElement, plain as unknown as (w: number, h: number) => ImageData);
  initialized = true;
}

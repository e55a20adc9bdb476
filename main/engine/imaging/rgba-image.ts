// Straight-alpha RGBA pixels, row-major, 4 bytes per pixel. The one pixel type of the engine.
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function createRgbaImage(width: number, height: number, fill?: readonly [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  if (fill) for (let i = 0; i < data.length; i += 4) data.set(fill, i);
  return { width, height, data };
}

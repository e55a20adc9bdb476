// Contact sheets: images tiled row-major into one picture (sample grids of the evaluators).
import { createRgbaImage, type RgbaImage } from './rgba-image.ts';

const WHITE = [255, 255, 255, 255] as const;

/** Tiles rows of images into one picture: every cell is `cell` x `cell` pixels (larger
 * images are cropped to it), with `gap` pixels of `background` around each cell. */
export function gridImage(rows: RgbaImage[][], cell: number, gap = 2, background: readonly [number, number, number, number] = WHITE): RgbaImage {
  const cols = Math.max(...rows.map((r) => r.length));
  const W = cols * cell + (cols + 1) * gap;
  const H = rows.length * cell + (rows.length + 1) * gap;
  const out = createRgbaImage(W, H, background);
  rows.forEach((row, ri) => row.forEach((img, ci) => {
    const w = Math.min(cell, img.width);
    for (let y = 0; y < Math.min(cell, img.height); y++) {
      const dst = ((gap + ri * (cell + gap) + y) * W + gap + ci * (cell + gap)) * 4;
      out.data.set(img.data.subarray(y * img.width * 4, (y * img.width + w) * 4), dst);
    }
  }));
  return out;
}

/** A flat list as rows of `cols` items (the last row may be shorter). */
export function inRows<T>(items: readonly T[], cols: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += cols) rows.push(items.slice(i, i + cols));
  return rows;
}

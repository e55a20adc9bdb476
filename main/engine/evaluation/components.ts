// Connected components of a label image (4- or 8-connected), with area and bounding box.
export interface Component {
  label: number;
  area: number;
  x0: number;
  y0: number;
  x1: number; // exclusive
  y1: number; // exclusive
  /** pixel indices */
  pixels: Int32Array;
}

/** `labels[p]` >= 0 marks a class; components never join pixels of different classes.
 * `diagonal` also joins pixels that touch at a corner (8-connected). */
export function connectedComponents(labels: Int16Array | Int32Array, width: number, height: number, diagonal = false): Component[] {
  const seen = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  const out: Component[] = [];
  for (let start = 0; start < labels.length; start++) {
    const label = labels[start];
    if (label < 0 || seen[start]) continue;
    let top = 0;
    let n = 0;
    stack[top++] = start;
    seen[start] = 1;
    const pixels: number[] = [];
    let x0 = width, y0 = height, x1 = 0, y1 = 0;
    while (top > 0) {
      const p = stack[--top];
      pixels.push(p);
      n++;
      const x = p % width;
      const y = (p - x) / width;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
      const visit = (q: number) => {
        if (!seen[q] && labels[q] === label) {
          seen[q] = 1;
          stack[top++] = q;
        }
      };
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (y > 0) visit(p - width);
      if (y < height - 1) visit(p + width);
      if (diagonal) {
        if (y > 0 && x > 0) visit(p - width - 1);
        if (y > 0 && x < width - 1) visit(p - width + 1);
        if (y < height - 1 && x > 0) visit(p + width - 1);
        if (y < height - 1 && x < width - 1) visit(p + width + 1);
      }
    }
    out.push({ label, area: n, x0, y0, x1, y1, pixels: Int32Array.from(pixels) });
  }
  return out;
}

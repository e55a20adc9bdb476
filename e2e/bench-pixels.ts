// Pixels for the landing bench: a 1024x1024 image with a generation's texture (smooth
// gradients, soft shapes, a little grain), so PNG costs what it costs on a real result.
export function benchPixels(side: number): Uint8Array {
  const data = new Uint8Array(side * side * 4);
  let seed = 12345;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const p = (y * side + x) * 4;
      seed = (seed * 1103515245 + 12345) >>> 0;
      const grain = (seed >>> 24) & 7;
      const d = Math.hypot(x - side * 0.4, y - side * 0.55) / side;
      const disc = d < 0.25 ? 1 : d < 0.27 ? (0.27 - d) / 0.02 : 0;
      data[p] = Math.round(40 + 180 * disc + (x / side) * 30) + grain;
      data[p + 1] = Math.round(90 + 100 * (1 - disc) * (y / side)) + grain;
      data[p + 2] = Math.round(200 - 150 * disc) + grain;
      data[p + 3] = 255;
    }
  }
  return data;
}

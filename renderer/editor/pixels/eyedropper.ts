// The colour under a point: the visible raster leaves composited at that one pixel
// (normal blending, straight alpha), back to front.
export interface PixelSample {
  /** RGBA 0-255 of the layer's pixel there */
  rgba: [number, number, number, number];
  /** the layer's opacity times its groups' */
  opacity: number;
}

/** Front-first samples composited over transparency; null when nothing opaque is there. */
export function compositeSamples(frontFirst: readonly PixelSample[]): [number, number, number] | null {
  let r = 0, g = 0, b = 0, a = 0;
  for (let i = frontFirst.length - 1; i >= 0; i--) {
    const s = frontFirst[i];
    const sa = (s.rgba[3] / 255) * s.opacity;
    if (sa <= 0) continue;
    const oa = sa + a * (1 - sa);
    r = (s.rgba[0] * sa + r * a * (1 - sa)) / oa;
    g = (s.rgba[1] * sa + g * a * (1 - sa)) / oa;
    b = (s.rgba[2] * sa + b * a * (1 - sa)) / oa;
    a = oa;
  }
  return a > 0 ? [Math.round(r), Math.round(g), Math.round(b)] : null;
}

export function toHex([r, g, b]: readonly number[]): string {
  return `#${[r, g, b].map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0')).join('')}`;
}

export function fromHex(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  const n = m ? parseInt(m[1], 16) : 0;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

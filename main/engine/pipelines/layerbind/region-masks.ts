// Region kernels for LayerBind (DESIGN 6.4: data in, results out, no I/O): validate the
// layout of a spec, map canvas boxes into the pack's native frame, and rasterise boxes
// onto a grid (the latent pixel grid for compositing, the patch-token grid for attention
// masks). Boxes are [x, y, w, h] in pixels of the canvas they were drawn on.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';

export type Box = readonly [x: number, y: number, w: number, h: number];

export interface RegionInput {
  id: string;
  box: Box;
  prompt: string;
}

/** Boxes may overhang the canvas by at most this many pixels (editor rounding). */
export const CANVAS_TOLERANCE_PX = 0.5;

/**
 * Checks regions + order against the canvas: at least one region, unique non-empty ids,
 * non-empty prompts, boxes with positive size inside the canvas, and an order that lists
 * every region id exactly once (front to back). Returns the region indices back to front.
 * Throws LaminaError('bad_request') naming the region and what to do.
 */
export function validateLayout(regions: readonly RegionInput[], order: readonly string[], width: number, height: number): number[] {
  if (regions.length === 0) throw new LaminaError('bad_request', 'layerbind needs at least one region (regions: [{id, box: [x, y, w, h], prompt}])');
  const index = new Map<string, number>();
  regions.forEach((r, i) => {
    const name = `region ${i + 1}${r.id ? ` "${r.id}"` : ''}`;
    if (!r.id || !r.id.trim()) throw new LaminaError('bad_request', `${name}: id is empty; give every region a unique id`);
    if (index.has(r.id)) throw new LaminaError('bad_request', `duplicate region id "${r.id}" (regions ${index.get(r.id)! + 1} and ${i + 1}); region ids must be unique`);
    index.set(r.id, i);
    if (!r.prompt || !r.prompt.trim()) throw new LaminaError('bad_request', `${name}: prompt is empty; describe what the region should contain`);
    const [x, y, w, h] = r.box;
    if (![x, y, w, h].every(Number.isFinite) || !(w > 0) || !(h > 0)) {
      throw new LaminaError('bad_request', `${name}: box [${r.box.join(', ')}] needs finite x, y and a positive width and height`);
    }
    const t = CANVAS_TOLERANCE_PX;
    if (x < -t || y < -t || x + w > width + t || y + h > height + t) {
      throw new LaminaError('bad_request', `${name}: box [${r.box.join(', ')}] (x, y, w, h) lies outside the ${width}x${height} canvas; move or shrink it to fit inside [0, 0, ${width}, ${height}]`);
    }
  });
  const seen = new Set<string>();
  for (const id of order) {
    if (!index.has(id)) throw new LaminaError('bad_request', `order lists "${id}", which is not a region id (regions: ${[...index.keys()].map((k) => `"${k}"`).join(', ')})`);
    if (seen.has(id)) throw new LaminaError('bad_request', `order lists "${id}" twice; list each region once, front to back`);
    seen.add(id);
  }
  const missing = [...index.keys()].filter((id) => !seen.has(id));
  if (missing.length) {
    throw new LaminaError('bad_request', `order must list every region front to back; missing ${missing.map((m) => `"${m}"`).join(', ')} (order: [${order.map((o) => `"${o}"`).join(', ')}])`);
  }
  return order.map((id) => index.get(id)!).reverse();
}

/**
 * A canvas box in the pack's native frame. The pipeline generates at the native size and
 * resamples to the canvas: same aspect = plain scale; other aspect = scale to cover and
 * centre-crop, so the inverse maps through that crop. The result is clipped to the frame.
 */
export function canvasBoxToNative(box: Box, canvas: { width: number; height: number }, native: { width: number; height: number }): [number, number, number, number] {
  const sameAspect = Math.abs(native.width / native.height - canvas.width / canvas.height) < 1e-6;
  let sx: number, sy: number, ox: number, oy: number;
  if (sameAspect) {
    sx = canvas.width / native.width;
    sy = canvas.height / native.height;
    ox = 0;
    oy = 0;
  } else {
    const s = Math.max(canvas.width / native.width, canvas.height / native.height);
    sx = sy = s;
    ox = (native.width * s - canvas.width) / 2; // cropped off each side, in canvas pixels
    oy = (native.height * s - canvas.height) / 2;
  }
  const x0 = Math.min(native.width, Math.max(0, (box[0] + ox) / sx));
  const y0 = Math.min(native.height, Math.max(0, (box[1] + oy) / sy));
  const x1 = Math.min(native.width, Math.max(0, (box[0] + box[2] + ox) / sx));
  const y1 = Math.min(native.height, Math.max(0, (box[1] + box[3] + oy) / sy));
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * Area coverage of a box (in a frame of frameW x frameH pixels) on a gridW x gridH grid
 * laid over the frame: each cell gets the fraction of its area inside the box, in [0, 1].
 * Row-major, cell (row, col) at row * gridW + col (the DiT's patch-token order).
 */
export function boxCoverage(box: Box, frameW: number, frameH: number, gridW: number, gridH: number): Float32Array {
  const out = new Float32Array(gridW * gridH);
  const cw = frameW / gridW;
  const ch = frameH / gridH;
  const [bx, by, bw, bh] = box;
  for (let r = 0; r < gridH; r++) {
    const oy = Math.max(0, Math.min((r + 1) * ch, by + bh) - Math.max(r * ch, by)) / ch;
    if (oy <= 0) continue;
    for (let c = 0; c < gridW; c++) {
      const ox = Math.max(0, Math.min((c + 1) * cw, bx + bw) - Math.max(c * cw, bx)) / cw;
      if (ox > 0) out[r * gridW + c] = ox * oy;
    }
  }
  return out;
}

/**
 * Binary token mask from a coverage map: a cell belongs to the region when at least
 * `threshold` of it is covered (nearest-style downsampling, as regional prompting does
 * with its pixel masks). A region too small to cover any cell that much keeps its
 * best-covered cell, so every region owns at least one token.
 */
export function coverageToMask(coverage: Float32Array, threshold = 0.5): Uint8Array {
  const mask = new Uint8Array(coverage.length);
  let best = -1;
  let any = false;
  for (let i = 0; i < coverage.length; i++) {
    if (coverage[i] >= threshold) {
      mask[i] = 1;
      any = true;
    }
    if (best < 0 || coverage[i] > coverage[best]) best = i;
  }
  if (!any && best >= 0 && coverage[best] > 0) mask[best] = 1;
  return mask;
}

/** Token-grid masks (attention) and latent-grid alphas (compositing) for each region. */
export interface RegionGrids {
  /** per region (spec order): 1 = the image token belongs to the region, [tokensH * tokensW] */
  tokenMasks: Uint8Array[];
  /** per region: area coverage of each latent pixel, [latentH * latentW], in [0, 1] */
  latentAlphas: Float32Array[];
  /** the boxes in native pixels */
  nativeBoxes: [number, number, number, number][];
}

export function regionGrids(
  regions: readonly RegionInput[],
  canvas: { width: number; height: number },
  native: { width: number; height: number },
  latent: { width: number; height: number },
  tokens: { width: number; height: number },
  threshold = 0.5,
): RegionGrids {
  const nativeBoxes = regions.map((r) => canvasBoxToNative(r.box, canvas, native));
  return {
    nativeBoxes,
    tokenMasks: nativeBoxes.map((b) => coverageToMask(boxCoverage(b, native.width, native.height, tokens.width, tokens.height), threshold)),
    latentAlphas: nativeBoxes.map((b) => boxCoverage(b, native.width, native.height, latent.width, latent.height)),
  };
}

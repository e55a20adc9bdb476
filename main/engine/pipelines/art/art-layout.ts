// ART's token layout (models/recipes/art_data.py is the same in Python): the joint
// sequence is [composite: every token of the grid; background: every token; box k: the
// tokens inside its box, row by row], each token with its position on the native token
// grid (ty * grid + tx) and its layer (0 composite, 1 background, 2 + k box k). Kernels
// only: boxes in, indices and latents out.

export const COMPOSITE_LAYER = 0;
export const BACKGROUND_LAYER = 1;

/** A box on the token grid: [tx0, ty0, tx1, ty1), at least one token. */
export type TokenBox = readonly [number, number, number, number];

export interface ArtLayout {
  grid: number;
  tokenBoxes: TokenBox[];
  /** per token: ty * grid + tx */
  pos: Int32Array;
  /** per token: its layer */
  layer: Int32Array;
  /** tokens of the sequence */
  length: number;
}

/** How a canvas maps onto the pack's native square (the decoded layers are resampled to
 * the canvas by scaling to cover it and centre-cropping, as text-to-image does). */
export interface CanvasMap {
  /** native px per canvas px */
  scale: number;
  /** the canvas's top-left in native px */
  ox: number;
  oy: number;
}

export function canvasMap(canvas: { width: number; height: number }, native: { width: number; height: number }): CanvasMap {
  const k = Math.max(canvas.width / native.width, canvas.height / native.height); // canvas px per native px
  return { scale: 1 / k, ox: (native.width * k - canvas.width) / 2 / k, oy: (native.height * k - canvas.height) / 2 / k };
}

/** A canvas box [x, y, w, h] -> its tokens (snapped outward to whole tokens, clamped to the grid). */
export function tokenBox(box: readonly [number, number, number, number], map: CanvasMap, tokenPx: number, grid: number): TokenBox {
  const [x, y, w, h] = box;
  const x0 = map.ox + x * map.scale;
  const y0 = map.oy + y * map.scale;
  const x1 = map.ox + (x + w) * map.scale;
  const y1 = map.oy + (y + h) * map.scale;
  const eps = 1e-9; // a box edge on a token edge does not take the next token
  const tx0 = Math.max(0, Math.floor(x0 / tokenPx + eps));
  const ty0 = Math.max(0, Math.floor(y0 / tokenPx + eps));
  const tx1 = Math.min(grid, Math.ceil(x1 / tokenPx - eps));
  const ty1 = Math.min(grid, Math.ceil(y1 / tokenPx - eps));
  return [Math.min(tx0, grid - 1), Math.min(ty0, grid - 1), Math.max(tx1, Math.min(tx0, grid - 1) + 1), Math.max(ty1, Math.min(ty0, grid - 1) + 1)];
}

/** A token box in canvas pixels [x0, y0, x1, y1) (rounded outward, clamped to the canvas). */
export function tokenBoxOnCanvas(tb: TokenBox, map: CanvasMap, tokenPx: number, canvas: { width: number; height: number }): [number, number, number, number] {
  const k = 1 / map.scale;
  const c = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return [
    c(Math.floor((tb[0] * tokenPx - map.ox) * k), canvas.width), c(Math.floor((tb[1] * tokenPx - map.oy) * k), canvas.height),
    c(Math.ceil((tb[2] * tokenPx - map.ox) * k), canvas.width), c(Math.ceil((tb[3] * tokenPx - map.oy) * k), canvas.height),
  ];
}

/** The joint sequence's positions and layers; `fullLayers`: every box layer keeps the whole
 * grid (the full-attention baseline ART is measured against). */
export function artLayout(tokenBoxes: TokenBox[], grid: number, fullLayers = false): ArtLayout {
  const all: TokenBox = [0, 0, grid, grid];
  const boxes: TokenBox[] = [all, all, ...(fullLayers ? tokenBoxes.map(() => all) : tokenBoxes)];
  const length = boxes.reduce((n, [x0, y0, x1, y1]) => n + (x1 - x0) * (y1 - y0), 0);
  const pos = new Int32Array(length);
  const layer = new Int32Array(length);
  let i = 0;
  boxes.forEach(([x0, y0, x1, y1], l) => {
    for (let ty = y0; ty < y1; ty++) {
      for (let tx = x0; tx < x1; tx++) {
        pos[i] = ty * grid + tx;
        layer[i++] = l;
      }
    }
  });
  return { grid, tokenBoxes, pos, layer, length };
}

/** Patch geometry: C latent channels, p x p patches on a grid x grid token grid. */
export interface PatchGeometry {
  channels: number;
  patch: number;
  grid: number;
}

/** The latent index of each of token t's C*p*p values, in (c, py, px) order (MMDiT's patchify). */
function patchIndex(t: number, g: PatchGeometry, visit: (latentIndex: number, k: number) => void): void {
  const { channels: C, patch: p, grid } = g;
  const side = grid * p;
  const ty = Math.floor(t / grid);
  const tx = t % grid;
  let k = 0;
  for (let c = 0; c < C; c++) {
    for (let py = 0; py < p; py++) {
      const row = c * side * side + (ty * p + py) * side + tx * p;
      for (let px = 0; px < p; px++) visit(row + px, k++);
    }
  }
}

/** Token t of a [C, g*p, g*p] latent as C*p*p values, written to out[at..]. */
export function patchOf(latent: Float32Array, t: number, g: PatchGeometry, out: Float32Array, at = 0): void {
  patchIndex(t, g, (i, k) => (out[at + k] = latent[i]));
}

/** The inverse of patchOf: writes token values (values[at..]) into a [C, g*p, g*p] latent. */
export function writePatch(latent: Float32Array, t: number, g: PatchGeometry, values: Float32Array, at = 0): void {
  patchIndex(t, g, (i, k) => (latent[i] = values[at + k]));
}

/** Denoised tokens -> one full latent per layer [layers, C, g*p, g*p]: each layer's own
 * tokens, and `outside` (a latent of the same grid: the transparent image's) elsewhere. */
export function scatterLayers(tokens: Float32Array, layout: ArtLayout, g: PatchGeometry, outside: Float32Array): Float32Array {
  const layers = layout.tokenBoxes.length + 2;
  const per = outside.length;
  const out = new Float32Array(layers * per);
  for (let l = 0; l < layers; l++) out.set(outside, l * per);
  const P = g.channels * g.patch * g.patch;
  for (let i = 0; i < layout.length; i++) {
    writePatch(out.subarray(layout.layer[i] * per, (layout.layer[i] + 1) * per), layout.pos[i], g, tokens, i * P);
  }
  return out;
}

/** Keeps a straight-alpha RGBA image's alpha only inside the pixel box [x0, y0, x1, y1) (in place). */
export function confineAlpha(data: Uint8Array, width: number, height: number, box: readonly [number, number, number, number]): void {
  const [x0, y0, x1, y1] = box;
  for (let y = 0; y < height; y++) {
    const inRow = y >= y0 && y < y1;
    for (let x = 0; x < width; x++) {
      if (inRow && x >= x0 && x < x1) continue;
      const k = (y * width + x) * 4;
      data[k] = data[k + 1] = data[k + 2] = data[k + 3] = 0;
    }
  }
}

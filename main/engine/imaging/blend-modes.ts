// Blend functions B(Cb, Cs) of the W3C "Compositing and Blending Level 1" spec, on straight
// (non-premultiplied) colour in [0, 1]. `linear-dodge` is Photoshop's "Linear Dodge (Add)":
// B = min(1, Cb + Cs). Kernels only: no allocation per pixel, no I/O.
import type { BlendMode } from '../../../common/document/document-schema.ts';

export type Rgb = [number, number, number];
type Separable = (cb: number, cs: number) => number;

const multiply: Separable = (cb, cs) => cb * cs;
const screen: Separable = (cb, cs) => cb + cs - cb * cs;
const hardLight: Separable = (cb, cs) => (cs <= 0.5 ? multiply(cb, 2 * cs) : screen(cb, 2 * cs - 1));

function softLight(cb: number, cs: number): number {
  if (cs <= 0.5) return cb - (1 - 2 * cs) * cb * (1 - cb);
  const d = cb <= 0.25 ? ((16 * cb - 12) * cb + 4) * cb : Math.sqrt(cb);
  return cb + (2 * cs - 1) * (d - cb);
}

function colorDodge(cb: number, cs: number): number {
  if (cb === 0) return 0;
  if (cs >= 1) return 1;
  return Math.min(1, cb / (1 - cs));
}

function colorBurn(cb: number, cs: number): number {
  if (cb >= 1) return 1;
  if (cs <= 0) return 0;
  return 1 - Math.min(1, (1 - cb) / cs);
}

export const SEPARABLE_BLENDS: Partial<Record<BlendMode, Separable>> = {
  normal: (_cb, cs) => cs,
  multiply,
  screen,
  overlay: (cb, cs) => hardLight(cs, cb),
  darken: Math.min,
  lighten: Math.max,
  'color-dodge': colorDodge,
  'color-burn': colorBurn,
  'hard-light': hardLight,
  'soft-light': softLight,
  difference: (cb, cs) => Math.abs(cb - cs),
  exclusion: (cb, cs) => cb + cs - 2 * cb * cs,
  'linear-dodge': (cb, cs) => Math.min(1, cb + cs),
};

// --- non-separable helpers (spec section 10.8) ---

const lum = (c: Rgb): number => 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2];
const sat = (c: Rgb): number => Math.max(c[0], c[1], c[2]) - Math.min(c[0], c[1], c[2]);

function clipColor(c: Rgb): void {
  const l = lum(c);
  const n = Math.min(c[0], c[1], c[2]);
  const x = Math.max(c[0], c[1], c[2]);
  for (let i = 0; i < 3; i++) {
    if (n < 0) c[i] = l + ((c[i] - l) * l) / (l - n);
    if (x > 1) c[i] = l + ((c[i] - l) * (1 - l)) / (x - l);
  }
}

/** out = SetLum(c, l) */
function setLum(c: Rgb, l: number, out: Rgb): void {
  const d = l - lum(c);
  out[0] = c[0] + d;
  out[1] = c[1] + d;
  out[2] = c[2] + d;
  clipColor(out);
}

/** out = SetSat(c, s) */
function setSat(c: Rgb, s: number, out: Rgb): void {
  const idx = [0, 1, 2].sort((a, b) => c[a] - c[b]);
  const [iMin, iMid, iMax] = idx;
  const range = c[iMax] - c[iMin];
  const mid = range > 0 ? ((c[iMid] - c[iMin]) * s) / range : 0;
  const max = range > 0 ? s : 0;
  out[iMin] = 0;
  out[iMid] = mid;
  out[iMax] = max;
}

const scratch: Rgb = [0, 0, 0];

const NON_SEPARABLE: Partial<Record<BlendMode, (cb: Rgb, cs: Rgb, out: Rgb) => void>> = {
  hue: (cb, cs, out) => {
    setSat(cs, sat(cb), scratch);
    setLum(scratch, lum(cb), out);
  },
  saturation: (cb, cs, out) => {
    setSat(cb, sat(cs), scratch);
    setLum(scratch, lum(cb), out);
  },
  color: (cb, cs, out) => setLum(cs, lum(cb), out),
  luminosity: (cb, cs, out) => setLum(cb, lum(cs), out),
};

/** Writes B(Cb, Cs) for `mode` into `out` (may not alias cb or cs). */
export function blendColor(mode: BlendMode, cb: Rgb, cs: Rgb, out: Rgb): void {
  const separable = SEPARABLE_BLENDS[mode];
  if (separable) {
    out[0] = separable(cb[0], cs[0]);
    out[1] = separable(cb[1], cs[1]);
    out[2] = separable(cb[2], cs[2]);
    return;
  }
  const fn = NON_SEPARABLE[mode];
  if (!fn) throw new Error(`blend mode without a kernel: ${mode}`);
  fn(cb, cs, out);
}

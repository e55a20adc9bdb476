// The colour of a region's overlay: the colour word of its prompt ("a red circle" -> the
// pack's red), else one neutral grey; never an arbitrary pick. A colour the user chose in
// the properties panel stays: only a colour that is still automatic follows the prompt.
import type { PackSummary } from '../../common/contract/contract.ts';

type Rgb = readonly [number, number, number];

/** The overlay of a region whose prompt names no colour. */
export const REGION_NEUTRAL = '#8f96a3';

/** Colour words any pack's prompts may use, for packs that bring no palette of their own. */
const BASIC_COLOURS: Record<string, Rgb> = {
  red: [220, 50, 47], orange: [245, 130, 32], yellow: [250, 210, 40], green: [60, 170, 75], blue: [40, 110, 220],
  purple: [130, 70, 190], violet: [130, 70, 190], pink: [240, 120, 180], brown: [130, 80, 40], black: [25, 25, 25],
  white: [245, 245, 245], grey: [128, 128, 128], gray: [128, 128, 128], cyan: [20, 180, 200], teal: [20, 140, 140], magenta: [210, 50, 160],
};

/** Colour word -> RGB: the basic names, overridden by each pack's own palette (its world's colours). */
export function colourPalette(packs: readonly Pick<PackSummary, 'vocabulary'>[]): Record<string, Rgb> {
  const out: Record<string, Rgb> = { ...BASIC_COLOURS };
  for (const p of [...packs].reverse()) Object.assign(out, p.vocabulary?.colours ?? {});
  return out;
}

/** The colour word the prompt's object has: the first one that is not a background's
 * ("a red star on a blue background" -> red), else a background's, else null. */
export function colourWordOf(prompt: string, palette: Record<string, Rgb>): string | null {
  const words = prompt.toLowerCase().match(/[a-z]+/g) ?? [];
  let background: string | null = null;
  for (let i = 0; i < words.length; i++) {
    if (!Object.prototype.hasOwnProperty.call(palette, words[i])) continue;
    if (words.slice(i + 1, i + 3).includes('background')) background ??= words[i];
    else return words[i];
  }
  return background;
}

const hex = (rgb: Rgb) => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** The automatic overlay colour of a region with this prompt. */
export function regionColourFor(prompt: string, palette: Record<string, Rgb>): string {
  const word = colourWordOf(prompt, palette);
  return word ? hex(palette[word]) : REGION_NEUTRAL;
}

/** The colour a region should take when its prompt changes from `before` to `after`: the
 * new automatic one while its colour is still automatic (neutral or its old prompt's),
 * else null (the user chose it; it stays). */
export function followPromptColour(color: string, before: string, after: string, palette: Record<string, Rgb>): string | null {
  const c = color.toLowerCase();
  if (c !== REGION_NEUTRAL && c !== regionColourFor(before, palette)) return null;
  const next = regionColourFor(after, palette);
  return next === c ? null : next;
}

/** Text colour readable on `color` (the overlay's label): dark on light colours, white on dark ones. */
export function labelInk(color: string): string {
  const n = Number.parseInt(color.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return 0.299 * r + 0.587 * g + 0.114 * b > 110 ? '#0b0d12' : '#ffffff';
}

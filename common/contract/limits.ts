// The one set of numeric limits: the contract's schemas are built from it, the editor shows
// it where the user types (min/max and an out-of-range message instead of a silent clamp),
// and the CLI reports it in its errors. Change a limit here and every edge follows.

export interface Limit {
  min: number;
  max: number;
  /** integer-valued */
  int: boolean;
  /** what the user calls it, for messages */
  label: string;
  unit?: string;
}

export const LIMITS = {
  /** document (canvas) width or height */
  canvasSide: { min: 1, max: 16384, int: true, label: 'Canvas size', unit: 'px' },
  /** a generated result's width or height (results are generated at the pack's native size and enlarged) */
  generateSide: { min: 1, max: 4096, int: true, label: 'Generation size', unit: 'px' },
  steps: { min: 1, max: 200, int: true, label: 'Steps' },
  seed: { min: 0, max: 2 ** 32 - 1, int: true, label: 'Seed' },
  guidance: { min: 0, max: 30, int: false, label: 'Guidance' },
  /** img2img / inpainting: 0 keeps the init image, 1 regenerates from pure noise */
  strength: { min: 0, max: 1, int: false, label: 'Strength' },
  /** variations generated in one run */
  batch: { min: 1, max: 8, int: true, label: 'Variations' },
  /** anonymous boxes of one ART (layers) generation; a pack may take fewer (its manifest says) */
  artBoxes: { min: 1, max: 50, int: true, label: 'Boxes' },
  /** generations a document remembers (the oldest are forgotten first) */
  generationHistory: { min: 0, max: 48, int: true, label: 'Generation history' },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** Why `value` is not acceptable for `limit`, or null when it is. Never clamps. */
export function outOfRange(limit: Limit, value: number): string | null {
  const unit = limit.unit ? ` ${limit.unit}` : '';
  if (!Number.isFinite(value)) return `${limit.label} must be a number from ${limit.min} to ${limit.max}${unit}`;
  if (limit.int && !Number.isInteger(value)) return `${limit.label} must be a whole number`;
  if (value < limit.min) return `${limit.label} ${value}${unit} is below the minimum ${limit.min}${unit}`;
  if (value > limit.max) return `${limit.label} ${value}${unit} is past the maximum ${limit.max}${unit}`;
  return null;
}

/** A typed-in string -> a number, or the message why it is not acceptable. */
export function parseLimited(limit: Limit, text: string): { value: number; error: null } | { value: null; error: string } {
  const t = text.trim();
  const value = t === '' ? NaN : Number(t);
  const error = outOfRange(limit, value);
  return error ? { value: null, error } : { value, error: null };
}

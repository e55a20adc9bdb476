// zod schemas built from ./limits.ts, so the contract and the editor cannot disagree.
import { z } from 'zod';
import { LIMITS, type Limit } from './limits.ts';

export function limited(limit: Limit): z.ZodNumber {
  let s = z.number();
  if (limit.int) s = s.int();
  return s.min(limit.min, `${limit.label} must be at least ${limit.min}`).max(limit.max, `${limit.label} must be at most ${limit.max}${limit.unit ? ` ${limit.unit}` : ''}`);
}

export const CanvasSide = limited(LIMITS.canvasSide);
export const GenerateSide = limited(LIMITS.generateSide);
export const Seed = limited(LIMITS.seed);
export const Steps = limited(LIMITS.steps);
export const Guidance = limited(LIMITS.guidance);
export const Strength = limited(LIMITS.strength);
export const Batch = limited(LIMITS.batch);

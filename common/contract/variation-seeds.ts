// The seeds of a batch of variations: the spec's seed and the ones after it (wrapping at
// 2^32), so every candidate is distinct and each can be made again alone from its seed.
import { LIMITS } from './limits.ts';

export function variationSeeds(seed: number, batch: number): number[] {
  const span = LIMITS.seed.max + 1;
  return Array.from({ length: batch }, (_, k) => (seed + k) % span);
}

// The guided step: how one network call's outputs become each branch's velocity.
// Classifier-free guidance runs as a batch, [cond 0..n-1, uncond ...], with either one
// unconditional item shared by every branch or one per branch: v = v_u + g (v_c - v_u).
// A transformer with a guidance embedding (FLUX) takes g as an input: no uncond items.
import type { PackModel } from '../../runtime/pack-model.ts';

export type Guidance =
  | { kind: 'cfg'; scale: number; sharedUncond: boolean }
  | { kind: 'embedded'; scale: number }
  | { kind: 'none' };

/** How `scale` guides on this pack: CFG as a batch when > 1, or the transformer's guidance input. */
export function guidanceFor(model: PackModel, scale: number, sharedUncond = true): Guidance {
  if (model.scheduler.guidance === 'embedded') return { kind: 'embedded', scale };
  return scale > 1 ? { kind: 'cfg', scale, sharedUncond } : { kind: 'none' };
}

/** Items a batch of `branches` conditional items holds under `g`. */
export function batchItems(g: Guidance, branches: number): number {
  return g.kind !== 'cfg' ? branches : g.sharedUncond ? branches + 1 : 2 * branches;
}

/** Each branch's guided velocity from the raw batch output `v` (items of `size` values). */
export function guidedVelocities(v: Float32Array, size: number, branches: number, g: Guidance): Float32Array[] {
  return Array.from({ length: branches }, (_, b) => {
    const out = new Float32Array(size);
    const c = b * size;
    if (g.kind === 'cfg') {
      const u = (g.sharedUncond ? branches : b + branches) * size;
      for (let k = 0; k < size; k++) out[k] = v[u + k] + g.scale * (v[c + k] - v[u + k]);
    } else out.set(v.subarray(c, c + size));
    return out;
  });
}

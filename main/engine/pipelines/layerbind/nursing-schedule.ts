// LayerBind's step plan: phase 1 (instance initialization) for the first `fuseStep` steps,
// fusion before step `fuseStep`, then phase 2 (semantic nursing) for `nursingSteps` steps
// with a layer-transparency value per step, then the plain global path to the end.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';

export type TransparencyShape = 'cosine' | 'linear' | 'constant';
export const TRANSPARENCY_SHAPES: readonly TransparencyShape[] = ['cosine', 'linear', 'constant'];

export interface NursingParams {
  /** phase 1 steps; branches are fused before this step (0 = no phase 1) */
  fuseStep: number;
  /** phase 2 steps after the fusion (0 = no nursing) */
  nursingSteps: number;
  /** how the layer opacity falls over the nursing window */
  schedule: TransparencyShape;
  /** layer opacity at the start of nursing, in [0, 1] */
  strength: number;
}

/**
 * Defaults for `steps` steps: fuse after 10% of the steps (at least 1), nurse for the next
 * 20% (at least 1), cosine from full opacity. With CFG and shared unconditional items a
 * run then costs 1 + R * (fuseStep + nursingSteps) / (2 * steps) transformer batch items
 * relative to text-to-image: 1.3x with 2 regions, 1.6x with 4 (docs/layerbind.md).
 */
export function defaultNursingParams(steps: number): NursingParams {
  const fuseStep = steps >= 2 ? Math.min(steps - 1, Math.max(1, Math.round(steps * 0.1))) : 0;
  const nursingSteps = Math.min(steps - fuseStep, Math.max(1, Math.round(steps * 0.2)));
  return { fuseStep, nursingSteps, schedule: 'cosine', strength: 1 };
}

/** Fills unset params with the defaults and checks them against `steps` (bad_request naming the field). */
export function resolveNursingParams(steps: number, given: Partial<NursingParams>): NursingParams {
  const d = defaultNursingParams(steps);
  const p: NursingParams = {
    fuseStep: given.fuseStep ?? d.fuseStep,
    nursingSteps: given.nursingSteps ?? Math.min(d.nursingSteps, steps - (given.fuseStep ?? d.fuseStep)),
    schedule: given.schedule ?? d.schedule,
    strength: given.strength ?? d.strength,
  };
  if (!Number.isInteger(p.fuseStep) || p.fuseStep < 0 || p.fuseStep >= Math.max(1, steps)) {
    throw new LaminaError('bad_request', `layerbind fuseStep must be an integer in [0, ${Math.max(0, steps - 1)}] for ${steps} steps (got ${p.fuseStep})`);
  }
  if (!Number.isInteger(p.nursingSteps) || p.nursingSteps < 0 || p.fuseStep + p.nursingSteps > steps) {
    throw new LaminaError('bad_request', `layerbind nursingSteps must be an integer in [0, ${steps - p.fuseStep}] (steps ${steps} - fuseStep ${p.fuseStep}; got ${p.nursingSteps})`);
  }
  if (!TRANSPARENCY_SHAPES.includes(p.schedule)) {
    throw new LaminaError('bad_request', `layerbind schedule must be one of ${TRANSPARENCY_SHAPES.join(', ')} (got ${String(p.schedule)})`);
  }
  if (!(p.strength >= 0 && p.strength <= 1)) throw new LaminaError('bad_request', `layerbind strength must be in [0, 1] (got ${p.strength})`);
  return p;
}

/**
 * Layer opacity per step (length `steps`): 0 outside the nursing window
 * [fuseStep, fuseStep + nursingSteps); inside, with u = (i - fuseStep) / nursingSteps in
 * [0, 1): cosine = strength * (1 + cos(pi u)) / 2, linear = strength * (1 - u),
 * constant = strength. The first nursing step always gets the full strength.
 */
export function transparencySchedule(steps: number, p: NursingParams): Float64Array {
  const out = new Float64Array(steps);
  for (let k = 0; k < p.nursingSteps; k++) {
    const i = p.fuseStep + k;
    if (i >= steps) break;
    const u = k / p.nursingSteps;
    out[i] = p.schedule === 'constant' ? p.strength : p.schedule === 'linear' ? p.strength * (1 - u) : (p.strength * (1 + Math.cos(Math.PI * u))) / 2;
  }
  return out;
}

export type StepPhase = 'instance' | 'nursing' | 'global';

/** What each step runs: phase 1 branches, phase 2 nursing (opacity > 0) or the global path. */
export function stepPhases(steps: number, p: NursingParams): StepPhase[] {
  const a = transparencySchedule(steps, p);
  return Array.from({ length: steps }, (_, i) => (i < p.fuseStep ? 'instance' : a[i] > 0 ? 'nursing' : 'global'));
}

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

/** The phases as noise levels: phase 1 runs the steps that start above `fuseSigma`,
 * nursing the following steps that start above `nursingEndSigma`. */
export interface PhaseSigmas {
  fuseSigma: number;
  nursingEndSigma: number;
}

/** Default phase levels: with 20 steps at shift 1 (sigma_i = 1 - i/20) they fuse before
 * step 2 and nurse steps 2-5, the step defaults measured in docs/layerbind.md. */
export const DEFAULT_PHASE_SIGMAS: PhaseSigmas = { fuseSigma: 0.9, nursingEndSigma: 0.7 };

/** The phase levels a request asks for, defaults filled in. */
export const phaseLevels = (given: Partial<PhaseSigmas>): PhaseSigmas => ({
  fuseSigma: given.fuseSigma ?? DEFAULT_PHASE_SIGMAS.fuseSigma,
  nursingEndSigma: given.nursingEndSigma ?? DEFAULT_PHASE_SIGMAS.nursingEndSigma,
});

/** Shift-1 sigmas (1 - i / steps, i = 0..steps): what step-only callers schedule on. */
export const linearSigmas = (steps: number): Float64Array => Float64Array.from({ length: steps + 1 }, (_, i) => 1 - i / steps);

/** How many of the first `steps` steps start above `level` (float32 sigmas within 1e-4 of
 * the level count as on it, not above). */
export function stepsStartingAbove(sigmas: ArrayLike<number>, steps: number, level: number): number {
  let n = 0;
  while (n < steps && sigmas[n] > level + 1e-4) n++;
  return n;
}

/**
 * Defaults for `steps` steps on `sigmas` (steps + 1 values; default shift 1): phase 1 for
 * the steps above `fuseSigma` (at least 1, leaving at least one step), nursing for those
 * above `nursingEndSigma` after it (at least 1), cosine from full opacity. With CFG and
 * shared unconditional items a 20-step run at shift 1 then costs 1 + R * 6 / 40 transformer
 * batch items relative to text-to-image: 1.3x with 2 regions, 1.6x with 4 (docs/layerbind.md).
 */
export function defaultNursingParams(steps: number, sigmas: ArrayLike<number> = linearSigmas(steps), levels: PhaseSigmas = DEFAULT_PHASE_SIGMAS): NursingParams {
  const fuseStep = steps >= 2 ? Math.min(steps - 1, Math.max(1, stepsStartingAbove(sigmas, steps, levels.fuseSigma))) : 0;
  const nursingSteps = Math.min(steps - fuseStep, Math.max(1, stepsStartingAbove(sigmas, steps, levels.nursingEndSigma) - fuseStep));
  return { fuseStep, nursingSteps, schedule: 'cosine', strength: 1 };
}

/** Fills unset params with the defaults (phase levels turned into steps on `sigmas`) and
 * checks them against `steps` (bad_request naming the field). Explicit fuseStep /
 * nursingSteps win over the levels. */
export function resolveNursingParams(steps: number, given: Partial<NursingParams & PhaseSigmas>, sigmas: ArrayLike<number> = linearSigmas(steps)): NursingParams {
  const levels = phaseLevels(given);
  if (!(levels.fuseSigma > 0 && levels.fuseSigma <= 1)) throw new LaminaError('bad_request', `layerbind fuseSigma must be in (0, 1] (got ${levels.fuseSigma})`);
  if (!(levels.nursingEndSigma >= 0 && levels.nursingEndSigma <= levels.fuseSigma)) {
    throw new LaminaError('bad_request', `layerbind nursingEndSigma must be in [0, fuseSigma ${levels.fuseSigma}] (got ${levels.nursingEndSigma})`);
  }
  if (sigmas.length < steps + 1) throw new LaminaError('internal', `layerbind: ${sigmas.length} sigmas for ${steps} steps`);
  const d = defaultNursingParams(steps, sigmas, levels);
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

// Step "set timesteps": the pack's scheduler config (manifest) -> sigmas, and the value
// the transformer's timestep input takes at each step (sigma * timestepScale).
import type { PackModel } from '../../runtime/pack-model.ts';
import { computeMu, FlowMatchEulerScheduler } from '../../schedulers/scheduler-flow-euler.ts';

export interface Timesteps {
  /** steps + 1 values, the last is 0 */
  sigmas: Float32Array;
  /** the transformer's timestep input at each step */
  model: number[];
}

export function prepareTimesteps(model: PackModel, steps: number, imageTokens: number): Timesteps {
  const s = model.scheduler;
  const dyn = s.dynamicShift;
  const scheduler = new FlowMatchEulerScheduler({ shift: s.shift, numTrainTimesteps: s.numTrainTimesteps, useDynamicShifting: dyn !== null });
  const mu = dyn ? computeMu(imageTokens, { seqLen: dyn.baseSeqLen, shift: dyn.baseShift }, { seqLen: dyn.maxSeqLen, shift: dyn.maxShift }) : undefined;
  const { timesteps, sigmas } = scheduler.setTimesteps(steps, { spacing: s.spacing, ...(mu !== undefined ? { mu } : {}) });
  const scale = s.timestepScale / s.numTrainTimesteps; // timesteps are sigma * N
  return { sigmas, model: Array.from(timesteps, (t) => Math.fround(t * scale)) };
}

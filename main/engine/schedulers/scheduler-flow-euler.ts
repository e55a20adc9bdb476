// Flow-matching Euler sampler in pure TypeScript (no ORT import). Mirrors diffusers'
// FlowMatchEulerDiscreteScheduler (set_timesteps with static `shift` or dynamic `mu`
// shifting, step, scale_noise) closely enough to match it bit for bit in float32.
//
// Convention (diffusers / SD3 / FLUX): x_t = (1 - sigma) * x0 + sigma * noise, the model
// predicts v = noise - x0, sigma runs from ~1 (noise) down to 0 (image).

export interface FlowEulerConfig {
  /** training timesteps; timestep = sigma * numTrainTimesteps (default 1000) */
  numTrainTimesteps?: number;
  /** static shift (SD3 uses 3.0); ignored when useDynamicShifting */
  shift?: number;
  /** resolution-dependent shifting (FLUX): set_timesteps then needs mu */
  useDynamicShifting?: boolean;
}

export interface FlowEulerSchedule {
  /** one per step, float32 values, timestep = sigma * numTrainTimesteps */
  timesteps: Float32Array;
  /** steps + 1 values, the last is 0 */
  sigmas: Float32Array;
}

export class FlowMatchEulerScheduler {
  readonly numTrainTimesteps: number;
  readonly shift: number;
  readonly useDynamicShifting: boolean;
  /** the training schedule's smallest and largest sigma (after static shift) */
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  private schedule: FlowEulerSchedule | null = null;
  private stepIndex = 0;

  constructor(config: FlowEulerConfig = {}) {
    this.numTrainTimesteps = config.numTrainTimesteps ?? 1000;
    this.shift = config.shift ?? 1.0;
    this.useDynamicShifting = config.useDynamicShifting ?? false;
    if (!(this.numTrainTimesteps > 0)) throw new RangeError('numTrainTimesteps must be > 0');
    if (!(this.shift > 0)) throw new RangeError('shift must be > 0');
    // diffusers __init__: timesteps 1..N (float32), sigmas = t / N, statically shifted
    const n = this.numTrainTimesteps;
    const sig = (t: number) => {
      const s = Math.fround(Math.fround(t) / n);
      return this.useDynamicShifting ? s : Math.fround((this.shift * s) / (1 + (this.shift - 1) * s));
    };
    this.sigmaMax = sig(n);
    this.sigmaMin = sig(1);
  }

  /**
   * diffusers set_timesteps(num_inference_steps, mu=..., sigmas=...). `spacing: 'linspace'`
   * is lamina-tiny's schedule, sigma_i = shift(1 - i / steps), i.e. diffusers with custom
   * sigmas linspace(1, 0, steps + 1)[:-1].
   */
  setTimesteps(steps: number, opts: { mu?: number; sigmas?: readonly number[]; spacing?: 'diffusers' | 'linspace' } = {}): FlowEulerSchedule {
    if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be an integer >= 1 (got ${steps})`);
    if (this.useDynamicShifting && opts.mu === undefined) throw new RangeError('mu is required with dynamic shifting');
    const n = this.numTrainTimesteps;
    const custom = opts.sigmas ?? (opts.spacing === 'linspace' ? Array.from({ length: steps }, (_, i) => 1 - i / steps) : null);
    if (custom) {
      if (custom.length !== steps) throw new RangeError(`got ${custom.length} sigmas for ${steps} steps`);
      // numpy float32 arithmetic, one rounding per operation
      const f = Math.fround;
      const sigmas = new Float32Array(steps + 1);
      const timesteps = new Float32Array(steps);
      for (let i = 0; i < steps; i++) {
        const s = f(custom[i]);
        sigmas[i] = this.useDynamicShifting
          ? f(f(Math.exp(opts.mu!)) / f(f(Math.exp(opts.mu!)) + f(f(1 / s) - 1)))
          : f(f(this.shift * s) / f(1 + f((this.shift - 1) * s)));
        timesteps[i] = f(sigmas[i] * n);
      }
      this.schedule = { timesteps, sigmas };
      this.stepIndex = 0;
      return this.schedule;
    }
    // np.linspace(sigma_max * N, sigma_min * N, steps) in float64, then / N
    const start = this.sigmaMax * n;
    const stop = this.sigmaMin * n;
    const sigmas = new Float32Array(steps + 1);
    const timesteps = new Float32Array(steps);
    for (let i = 0; i < steps; i++) {
      const t = steps === 1 ? start : linspaceAt(start, stop, steps, i);
      let s = t / n;
      if (this.useDynamicShifting) s = Math.exp(opts.mu!) / (Math.exp(opts.mu!) + (1 / s - 1));
      else s = (this.shift * s) / (1 + (this.shift - 1) * s);
      sigmas[i] = s; // float64 -> float32, as torch.from_numpy(...).to(float32)
      timesteps[i] = Math.fround(sigmas[i] * n);
    }
    sigmas[steps] = 0;
    this.schedule = { timesteps, sigmas };
    this.stepIndex = 0;
    return this.schedule;
  }

  get timesteps(): Float32Array {
    return this.current().timesteps;
  }

  get sigmas(): Float32Array {
    return this.current().sigmas;
  }

  /** Index of the next step() call. */
  get index(): number {
    return this.stepIndex;
  }

  /**
   * One Euler step: out = sample + (sigma_next - sigma) * modelOutput, in float32.
   * Writes into `out` (may be `sample` itself, for an in-place update) and returns it.
   */
  step(modelOutput: Float32Array, sample: Float32Array, out: Float32Array = new Float32Array(sample.length)): Float32Array {
    const { sigmas } = this.current();
    if (this.stepIndex >= sigmas.length - 1) throw new RangeError('step() called after the last timestep');
    if (modelOutput.length !== sample.length || out.length !== sample.length) {
      throw new RangeError(`step(): lengths differ (model output ${modelOutput.length}, sample ${sample.length}, out ${out.length})`);
    }
    eulerStep(sample, modelOutput, sigmas[this.stepIndex], sigmas[this.stepIndex + 1], out);
    this.stepIndex++;
    return out;
  }

  /** The x0 (clean sample) prediction at the current step: sample - sigma * v. */
  predictX0(modelOutput: Float32Array, sample: Float32Array, out: Float32Array = new Float32Array(sample.length)): Float32Array {
    return predictX0(sample, modelOutput, this.current().sigmas[this.stepIndex], out);
  }

  /** Forward process (img2img start): sigma * noise + (1 - sigma) * sample, sigma of step `index`. */
  scaleNoise(sample: Float32Array, noise: Float32Array, index = this.stepIndex, out: Float32Array = new Float32Array(sample.length)): Float32Array {
    const sigma = this.current().sigmas[index];
    const keep = Math.fround(1 - sigma);
    for (let i = 0; i < sample.length; i++) out[i] = Math.fround(sigma * noise[i]) + Math.fround(keep * sample[i]);
    return out;
  }

  /** Start the loop at step `index` (img2img with strength < 1). */
  setBeginIndex(index: number): void {
    const { timesteps } = this.current();
    if (!Number.isInteger(index) || index < 0 || index >= timesteps.length) throw new RangeError(`begin index ${index} out of range`);
    this.stepIndex = index;
  }

  private current(): FlowEulerSchedule {
    if (!this.schedule) throw new Error('setTimesteps() must be called first');
    return this.schedule;
  }
}

/**
 * One flow-matching Euler step, stateless (for loops that keep several latents, e.g.
 * LayerBind's branches): out = sample + fround(sigmaNext - sigma) * v, in float32.
 * `out` may be `sample` itself (in place). The scheduler's step() is this at its index.
 */
export function eulerStep(sample: Float32Array, modelOutput: Float32Array, sigma: number, sigmaNext: number, out: Float32Array = new Float32Array(sample.length)): Float32Array {
  if (modelOutput.length !== sample.length || out.length !== sample.length) {
    throw new RangeError(`step(): lengths differ (model output ${modelOutput.length}, sample ${sample.length}, out ${out.length})`);
  }
  const dt = Math.fround(sigmaNext - sigma);
  for (let i = 0; i < sample.length; i++) out[i] = sample[i] + Math.fround(dt * modelOutput[i]);
  return out;
}

/** The x0 (clean sample) prediction at `sigma`, stateless: sample - sigma * v. */
export function predictX0(sample: Float32Array, modelOutput: Float32Array, sigma: number, out: Float32Array = new Float32Array(sample.length)): Float32Array {
  for (let i = 0; i < sample.length; i++) out[i] = sample[i] - Math.fround(sigma * modelOutput[i]);
  return out;
}

/** numpy.linspace(start, stop, num)[i] (num >= 2), same formula numpy uses. */
function linspaceAt(start: number, stop: number, num: number, i: number): number {
  if (i === num - 1) return stop;
  const div = num - 1;
  const step = (stop - start) / div;
  return step === 0 ? start + (i / div) * (stop - start) : start + i * step;
}

/** FLUX-style mu from the image token count (linear between two anchors). */
export function computeMu(imageSeqLen: number, base = { seqLen: 256, shift: 0.5 }, max = { seqLen: 4096, shift: 1.15 }): number {
  const m = (max.shift - base.shift) / (max.seqLen - base.seqLen);
  return imageSeqLen * m + (base.shift - m * base.seqLen);
}

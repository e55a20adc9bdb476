// Step events and previews, in one place: one 'step' event per step (1-based), with a
// small decoded preview every `previewEvery` steps (never on the last), cancel checked.
import type { JobContext } from '../../jobs/job-context.ts';
import type { PackComponents } from '../pack-components.ts';
import type { LatentGeometry } from './prepare-latents.ts';

export interface PreviewOptions {
  /** decoded preview every this many steps (0 = none); default ~4 per run */
  previewEvery?: number;
  /** longest side of a preview PNG; default 64 */
  previewSize?: number;
}

export class StepProgress {
  private readonly every: number;
  private pending: string | undefined;

  constructor(
    private readonly ctx: JobContext,
    private readonly parts: PackComponents,
    private readonly geometry: LatentGeometry,
    private readonly steps: number,
    private readonly options: PreviewOptions,
  ) {
    this.every = options.previewEvery ?? Math.max(1, Math.round(steps / 4));
  }

  /** Whether step i (0-based) shows a preview. */
  due(i: number): boolean {
    return this.every > 0 && i < this.steps - 1 && (i + 1) % this.every === 0;
  }

  /** Decodes `latent` as step i's preview (when due). */
  async preview(i: number, latent: () => Float32Array): Promise<void> {
    if (!this.due(i)) return;
    this.pending = await this.parts.previewPng(latent(), this.geometry.lh, this.geometry.lw, this.options.previewSize ?? 64);
  }

  /** Step i (0-based) is done. */
  report(i: number): void {
    const preview = this.pending;
    this.pending = undefined;
    this.ctx.progress({ state: 'step', i: i + 1, n: this.steps, ...(preview ? { preview } : {}) });
  }
}

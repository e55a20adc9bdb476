// Timings of one pipeline run, measured in one place: load, encode, denoise (with the
// network's share per step, calls and batch items), decode, resample, total.
export type PipelineTimings = {
  load_ms: number; encode_ms: number; denoise_ms: number; step_ms: number; decode_ms: number; resample_ms: number; total_ms: number;
  network_calls: number; batch_items: number;
};

export class PipelineTimer {
  private readonly t0 = performance.now();
  private readonly marks = new Map<'load' | 'encode' | 'denoise' | 'decode', number>();
  private networkMs = 0;
  private calls = 0;
  private items = 0;

  mark(stage: 'load' | 'encode' | 'denoise'): void {
    this.marks.set(stage, performance.now());
  }

  /** Loading and encoding are over, interleaved (./load-and-encode.ts): encoding took
   * `encodeMs` of the time until now, the rest was loading. */
  loadedAndEncoded(encodeMs: number): void {
    const now = performance.now();
    this.marks.set('load', now - encodeMs);
    this.marks.set('encode', now);
  }

  /** The decode took `ms` (measured inside the decode step), counted from the denoise mark. */
  decoded(ms: number): void {
    this.marks.set('decode', (this.marks.get('denoise') ?? performance.now()) + ms);
  }

  /** Times one network call of `batch` items. */
  async network<T>(batch: number, call: () => Promise<T>): Promise<T> {
    const s = performance.now();
    const out = await call();
    this.networkMs += performance.now() - s;
    this.calls++;
    this.items += batch;
    return out;
  }

  timings(steps: number): PipelineTimings {
    const end = performance.now();
    const at = (k: 'load' | 'encode' | 'denoise' | 'decode') => this.marks.get(k) ?? end;
    return {
      load_ms: round(at('load') - this.t0), encode_ms: round(at('encode') - at('load')), denoise_ms: round(at('denoise') - at('encode')),
      step_ms: round(this.networkMs / steps), decode_ms: round(at('decode') - at('denoise')), resample_ms: round(end - at('decode')), total_ms: round(end - this.t0),
      network_calls: this.calls, batch_items: this.items,
    };
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

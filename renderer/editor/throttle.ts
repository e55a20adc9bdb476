// A throttle for values that arrive faster than the view should repaint (job previews).
/** Lets through at most one value per `intervalMs`, always delivering the latest one. */
export class Throttle<T> {
  private last = -Infinity;
  private pending: T | undefined;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (v: T) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  push(v: T): void {
    const t = this.now();
    if (t - this.last >= this.intervalMs) {
      // deliver now; a trailing value still waiting is older than this one
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.pending = undefined;
      this.last = t;
      this.deliver(v);
      return;
    }
    this.pending = v;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.pending !== undefined) {
          const p = this.pending;
          this.pending = undefined;
          this.last = this.now();
          this.deliver(p);
        }
      }, this.intervalMs - (t - this.last));
    }
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = undefined;
  }
}

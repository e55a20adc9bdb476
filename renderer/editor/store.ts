// A tiny observable store: immutable state, synchronous subscribers. No framework inside;
// React binds to it with useSyncExternalStore (ui/use-editor.ts).
export type Listener<T> = (state: T, prev: T) => void;

export class Store<T> {
  private listeners = new Set<Listener<T>>();

  constructor(private state: T) {}

  get(): T {
    return this.state;
  }

  set(patch: Partial<T> | ((s: T) => Partial<T>)): void {
    const prev = this.state;
    const p = typeof patch === 'function' ? patch(prev) : patch;
    let changed = false;
    for (const k in p) {
      if (!Object.is(p[k], prev[k])) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    this.state = { ...prev, ...p };
    for (const l of [...this.listeners]) l(this.state, prev);
  }

  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

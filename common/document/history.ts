// Undo/redo over immutable document states. Every write declares its history mode
// (DESIGN.md 6.3): 'record' pushes an undo step, 'merge' folds into the previous step
// when its key matches (a drag, a slider), 'ignore' changes the state without touching
// history (previews). A finished generation is one 'record' of many ops. The generation
// log (./generation-history.ts) is carried across undo and redo, never undone.
import type { LaminaDocument } from './document-schema.ts';
import { keepGenerationLog } from './generation-history.ts';

export type HistoryMode = 'record' | 'merge' | 'ignore';

interface Entry {
  state: LaminaDocument;
  label: string;
  mergeKey?: string;
}

export class History {
  private past: Entry[] = [];
  private future: Entry[] = [];
  private lastMergeKey: string | undefined;

  constructor(
    private current: LaminaDocument,
    private readonly limit = 200,
  ) {}

  get state(): LaminaDocument {
    return this.current;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  get undoLabel(): string | null {
    return this.past.at(-1)?.label ?? null;
  }
  get redoLabel(): string | null {
    return this.future.at(-1)?.label ?? null;
  }

  commit(next: LaminaDocument, mode: HistoryMode, label: string, mergeKey?: string): void {
    if (mode === 'ignore') {
      this.current = next;
      return;
    }
    const merging = mode === 'merge' && mergeKey !== undefined && mergeKey === this.lastMergeKey && this.past.length > 0;
    if (!merging) {
      this.past.push({ state: this.current, label, mergeKey });
      if (this.past.length > this.limit) this.past.shift();
    }
    this.lastMergeKey = mode === 'merge' ? mergeKey : undefined;
    this.future = [];
    this.current = next;
  }

  undo(): boolean {
    const entry = this.past.pop();
    if (!entry) return false;
    this.future.push({ state: this.current, label: entry.label });
    this.current = keepGenerationLog(entry.state, this.current);
    this.lastMergeKey = undefined;
    return true;
  }

  redo(): boolean {
    const entry = this.future.pop();
    if (!entry) return false;
    this.past.push({ state: this.current, label: entry.label });
    this.current = keepGenerationLog(entry.state, this.current);
    this.lastMergeKey = undefined;
    return true;
  }

  /** Every document state still reachable (for keeping referenced images alive). */
  *states(): Generator<LaminaDocument> {
    yield this.current;
    for (const e of this.past) yield e.state;
    for (const e of this.future) yield e.state;
  }
}

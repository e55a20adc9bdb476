// One open document in the engine: its undo history, its pixels and where it lives on disk.
import type { DocumentSnapshot } from '../../../common/contract/contract.ts';
import { applyOps, type DocumentOp } from '../../../common/document/document-ops.ts';
import type { LaminaDocument } from '../../../common/document/document-schema.ts';
import { History, type HistoryMode } from '../../../common/document/history.ts';
import { documentImageIds } from '../../../common/document/layer-tree.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { ImageStore } from '../imaging/image-store.ts';

export class DocumentSession {
  readonly history: History;
  private version = 0;
  private savedVersion = 0;

  constructor(
    readonly docId: string,
    document: LaminaDocument,
    readonly store: ImageStore,
    public path: string | null,
  ) {
    this.history = new History(document);
  }

  get document(): LaminaDocument {
    return this.history.state;
  }
  get dirty(): boolean {
    return this.version !== this.savedVersion;
  }

  apply(ops: readonly DocumentOp[], mode: HistoryMode, label: string, mergeKey?: string): void {
    const next = applyOps(this.document, ops);
    for (const id of documentImageIds(next)) {
      if (!this.store.has(id)) throw new LaminaError('bad_op', `image "${id}" is not in this document; upload it with document.putImage first`);
    }
    this.history.commit(next, mode, label, mergeKey);
    this.version++;
  }

  undo(): void {
    if (this.history.undo()) this.version++;
  }
  redo(): void {
    if (this.history.redo()) this.version++;
  }

  markSaved(path: string): void {
    this.path = path;
    this.savedVersion = this.version;
  }

  /** Forget pixels no history state can reach any more. */
  collectGarbage(): number {
    const keep = new Set<string>();
    for (const state of this.history.states()) for (const id of documentImageIds(state)) keep.add(id);
    return this.store.retain(keep);
  }

  snapshot(): DocumentSnapshot {
    return {
      docId: this.docId,
      version: this.version,
      path: this.path,
      dirty: this.dirty,
      canUndo: this.history.canUndo,
      canRedo: this.history.canRedo,
      undoLabel: this.history.undoLabel,
      redoLabel: this.history.redoLabel,
      document: this.document,
    };
  }
}

// What every part of the editor shares: the store, the engine client, toasts, and the
// document snapshot with the one way to write it ('document.mutate' with a declared
// history mode). The parts (tool host, layer commands, files, jobs) each hold a core.
import type { DocumentSnapshot, LaminaClient, Method, Input, Output } from '../../common/contract/contract.ts';
import type { DocumentOpInput } from '../../common/document/document-ops.ts';
import type { LaminaDocument } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import { Store } from './store.ts';
import { initialState, type EditorState, type Toast } from './editor-state.ts';
import type { PixelServices } from './pixel-services.ts';

export type HistoryMode = 'record' | 'merge' | 'ignore';
export interface MutateOptions {
  history?: HistoryMode;
  label?: string;
  mergeKey?: string;
}

export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorOf(err: unknown): { code?: string; message: string } {
  if (err && typeof err === 'object' && 'message' in err) {
    const e = err as { code?: unknown; message: unknown };
    return { code: typeof e.code === 'string' ? e.code : undefined, message: String(e.message) };
  }
  return { message: String(err) };
}

let idCounter = 0;
export function defaultNewId(prefix: string): string {
  idCounter = (idCounter + 1) % 1e6;
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}${idCounter.toString(36)}`;
}

export interface EditorCoreOptions {
  client: LaminaClient;
  pixels?: PixelServices;
  newId?: (prefix: string) => string;
}

export class EditorCore {
  readonly store = new Store<EditorState>(initialState());
  readonly client: LaminaClient;
  pixels: PixelServices | undefined;
  readonly newId: (prefix: string) => string;
  /** every toast shown this session (bounded): for tests and bug reports */
  readonly toastLog: Toast[] = [];
  /** the last failed call's error (a dialog shows it beside the form that failed) */
  lastError: { code?: string; message: string } | null = null;
  /** called when a snapshot of another document arrives (the facade fits the view) */
  onNewDocument: () => void = () => undefined;
  private toastSeq = 0;
  private refreshing = false;
  private seenVersion = 0;

  constructor(opts: EditorCoreOptions) {
    this.client = opts.client;
    this.pixels = opts.pixels;
    this.newId = opts.newId ?? defaultNewId;
  }

  get state(): EditorState {
    return this.store.get();
  }
  get document(): LaminaDocument | null {
    return this.state.snapshot?.document ?? null;
  }
  get docId(): string | null {
    return this.state.snapshot?.docId ?? null;
  }

  select(ids: string[]): void {
    const same = ids.length === this.state.selection.length && ids.every((id, i) => id === this.state.selection[i]);
    if (!same) this.store.set({ selection: ids, editingRegionId: null });
  }

  // ---- toasts ------------------------------------------------------------------------------
  toast(kind: Toast['kind'], message: string, code?: string): void {
    const t: Toast = { id: ++this.toastSeq, kind, message, code };
    this.toastLog.push(t);
    if (this.toastLog.length > 200) this.toastLog.shift();
    this.store.set({ toasts: [...this.state.toasts, t].slice(-5) });
    const ms = kind === 'error' ? 9000 : 4000;
    const timer = setTimeout(() => this.dismissToast(t.id), ms) as unknown as { unref?: () => void };
    timer.unref?.();
  }
  dismissToast(id: number): void {
    if (this.state.toasts.some((t) => t.id === id)) this.store.set({ toasts: this.state.toasts.filter((t) => t.id !== id) });
  }
  reportError(err: unknown): void {
    const e = errorOf(err);
    this.lastError = e;
    this.toast('error', e.message, e.code);
  }

  /** The promise's value, or undefined after showing its failure as an error toast. */
  async guard<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      this.reportError(err);
      return undefined;
    }
  }

  /** A contract call whose failure becomes an error toast (returns undefined then). */
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M> | undefined> {
    return this.guard(this.client.call(method, input));
  }

  // ---- the document ------------------------------------------------------------------------
  setSnapshot(s: DocumentSnapshot): void {
    const cur = this.state.snapshot;
    if (cur && cur.docId === s.docId && s.version < cur.version) return;
    const newDoc = !cur || cur.docId !== s.docId;
    const selection = this.state.selection.filter((id) => findLayer(s.document.layers, id));
    const editingRegionId = this.state.editingRegionId && findLayer(s.document.layers, this.state.editingRegionId) ? this.state.editingRegionId : null;
    this.store.set({ snapshot: s, selection: newDoc ? [] : selection, editingRegionId: newDoc ? null : editingRegionId });
    if (newDoc) this.onNewDocument();
  }

  /** Follows 'document.changed' from the engine (a job landed, another window wrote). */
  async onDocumentChanged(e: { docId: string; version: number }): Promise<void> {
    const cur = this.state.snapshot;
    if (!cur || cur.docId !== e.docId || e.version <= cur.version) return;
    if (this.state.pending > 0) {
      // our own mutation's reply is on its way and will bring this version (or we refresh after it)
      this.seenVersion = Math.max(this.seenVersion, e.version);
      return;
    }
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const s = await this.client.call('document.get', { docId: e.docId });
      this.setSnapshot(s);
    } catch {
      /* a later event or call will bring it */
    } finally {
      this.refreshing = false;
    }
    const now = this.state.snapshot;
    if (now && now.docId === e.docId && now.version < e.version) void this.onDocumentChanged(e);
  }

  async mutate(ops: DocumentOpInput[], opts: MutateOptions = {}): Promise<boolean> {
    const docId = this.docId;
    if (!docId || !ops.length) return false;
    this.store.set({ pending: this.state.pending + 1 });
    try {
      const s = await this.client.call('document.mutate', { docId, ops, history: opts.history ?? 'record', label: opts.label ?? 'Edit', mergeKey: opts.mergeKey });
      this.setSnapshot(s);
      return true;
    } catch (err) {
      this.reportError(err);
      return false;
    } finally {
      this.store.set({ pending: this.state.pending - 1 });
      const s = this.state.snapshot;
      if (this.state.pending === 0 && s && this.seenVersion > s.version) void this.onDocumentChanged({ docId: s.docId, version: this.seenVersion });
    }
  }

  undo(): Promise<void> {
    return this.step('document.undo', !!this.state.snapshot?.canUndo);
  }
  redo(): Promise<void> {
    return this.step('document.redo', !!this.state.snapshot?.canRedo);
  }
  private async step(method: 'document.undo' | 'document.redo', can: boolean): Promise<void> {
    const docId = this.docId;
    if (!docId || !can) return;
    const s = await this.call(method, { docId });
    if (s) this.setSnapshot(s);
  }
}

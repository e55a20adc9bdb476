// An in-memory LaminaClient for editor tests: the real document ops and history from
// common/; images put with 'document.putImage' are kept by id and read back by 'document.image'.
import type { DocumentSnapshot, EventName, EventPayload, Input, LaminaClient, Method, Output } from '../../../common/contract/contract.ts';
import { applyOps, DocumentOp } from '../../../common/document/document-ops.ts';
import { LaminaDocument } from '../../../common/document/document-schema.ts';
import { History } from '../../../common/document/history.ts';

interface Doc {
  history: History;
  version: number;
  saved: number;
  path: string | null;
}

export class MemoryClient implements LaminaClient {
  docs = new Map<string, Doc>();
  calls: { method: string; input: unknown }[] = [];
  /** pixels put with 'document.putImage' (or by a test), by image id */
  images = new Map<string, { width: number; height: number; rgba: Uint8Array }>();
  private listeners = new Map<string, Set<(p: unknown) => void>>();
  private seq = 0;
  /** method -> handler override (e.g. to make jobs.start emit events) */
  overrides: Partial<Record<Method, (input: unknown) => unknown>> = {};

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (p: unknown) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (p: unknown) => void);
  }

  private snap(docId: string): DocumentSnapshot {
    const d = this.docs.get(docId)!;
    return {
      docId, version: d.version, path: d.path, dirty: d.version !== d.saved,
      canUndo: d.history.canUndo, canRedo: d.history.canRedo, undoLabel: d.history.undoLabel, redoLabel: d.history.redoLabel,
      document: d.history.state,
    };
  }

  async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    this.calls.push({ method, input });
    const o = this.overrides[method];
    if (o) return o(input) as Output<M>;
    const i = input as Record<string, unknown>;
    const doc = (id: unknown) => {
      const d = this.docs.get(String(id));
      if (!d) throw Object.assign(new Error(`no document "${String(id)}"`), { code: 'not_found' });
      return d;
    };
    switch (method) {
      case 'document.new': {
        const docId = `doc${++this.seq}`;
        const document = LaminaDocument.parse({ width: i.width, height: i.height, name: i.name ?? 'Untitled', layers: [] });
        this.docs.set(docId, { history: new History(document), version: 0, saved: 0, path: null });
        return this.snap(docId) as Output<M>;
      }
      case 'document.get':
        doc(i.docId);
        return this.snap(String(i.docId)) as Output<M>;
      case 'document.mutate': {
        const d = doc(i.docId);
        const ops = (i.ops as unknown[]).map((op) => DocumentOp.parse(op));
        const next = applyOps(d.history.state, ops);
        d.history.commit(next, (i.history as 'record') ?? 'record', String(i.label ?? 'Edit'), i.mergeKey as string | undefined);
        d.version++;
        return this.snap(String(i.docId)) as Output<M>;
      }
      case 'document.undo': {
        const d = doc(i.docId);
        if (d.history.undo()) d.version++;
        return this.snap(String(i.docId)) as Output<M>;
      }
      case 'document.redo': {
        const d = doc(i.docId);
        if (d.history.redo()) d.version++;
        return this.snap(String(i.docId)) as Output<M>;
      }
      case 'document.putImage': {
        const image = i.image as { width: number; height: number; rgba: Uint8Array };
        const imageId = `img${++this.seq}`;
        this.images.set(imageId, image);
        return { imageId, width: image.width, height: image.height } as Output<M>;
      }
      case 'document.image': {
        const image = this.images.get(String(i.imageId));
        if (!image) throw Object.assign(new Error(`no image "${String(i.imageId)}"`), { code: 'not_found' });
        return { ...image, rgba: image.rgba.slice() } as Output<M>;
      }
      case 'document.save': {
        const d = doc(i.docId);
        d.path = String(i.path ?? d.path);
        d.saved = d.version;
        return { path: d.path } as Output<M>;
      }
      case 'document.close':
        return { closed: this.docs.delete(String(i.docId)) } as Output<M>;
      case 'models.list':
        return [] as Output<M>;
      case 'jobs.start':
        return { jobId: `job${++this.seq}` } as Output<M>;
      case 'jobs.cancel':
        return { cancelled: true } as Output<M>;
      default:
        throw Object.assign(new Error(`${method} is not in the memory client`), { code: 'internal' });
    }
  }
}

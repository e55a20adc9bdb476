// The engine: implements every method of the contract over open document sessions, the
// job queue and the pack registry. Transports (IPC, WebSocket, CLI) validate at the edge
// with `dispatch`, which is the only entry point they use.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { z } from 'zod';
import {
  type Contract, type EventName, type JobEvent, type EventPayload, type Input, type LaminaClient, type Method, type Output,
} from '../../common/contract/contract.ts';
import { parseInput } from '../../common/contract/validate.ts';
import type { DocumentOp } from '../../common/document/document-ops.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import type { JobPayload } from './jobs/job-protocol.ts';
import type { LaminaDocument, Layer } from '../../common/document/document-schema.ts';
import { LaminaError, toErrorPayload } from '../../common/errors/lamina-error.ts';
import { TASKS, type TaskName } from '../../common/contract/tasks.ts';
import type { TaskResult } from '../../common/contract/task-results.ts';
import { describeZodError } from '../../common/contract/validate.ts';
import { readDocumentFile, writeDocumentFile, documentFileBytes } from './document/document-files.ts';
import { ImageStore } from './imaging/image-store.ts';
import { JobQueue } from './jobs/job-queue.ts';
import { ortInfo } from './runtime/ort-info.ts';
import { loadPackRegistry } from './runtime/pack-registry.ts';
import { DocumentSession } from './session/document-session.ts';
import { landingOps } from './session/land-result.ts';
import { placeInputs } from './session/layer-inputs.ts';
import { remapLayerIds } from './session/remap-layer-ids.ts';

export interface EngineOptions {
  /** folders holding model packs (each pack is a subfolder with manifest.json) */
  packDirs: string[];
  /** where autosave recovery files go */
  recoveryDir: string;
  /** autosave period in ms; 0 disables the timer (tests call autosaveNow) */
  autosaveMs?: number;
  /** the job worker's entry (benches and tests); the real job worker by default */
  jobWorker?: URL;
}

type Handlers = { [M in Method]: (input: z.output<Contract[M]['input']>) => Promise<Output<M>> };

const require = createRequire(import.meta.url);
const APP_VERSION: string = require('../../package.json').version;

export class Engine implements LaminaClient {
  private readonly sessions = new Map<string, DocumentSession>();
  private readonly emitter = new EventEmitter();
  /** each running job's task and the document its result lands in */
  private readonly jobInfo = new Map<string, { task: TaskName; docId?: string }>();
  readonly jobs: JobQueue;
  private autosaveTimer: NodeJS.Timeout | null = null;

  constructor(readonly options: EngineOptions) {
    this.jobs = new JobQueue(options.jobWorker, (jobId, raw) => this.finishJob(jobId, raw));
    this.emitter.setMaxListeners(100);
    this.jobs.onEvent((ev) => this.forwardJobEvent(ev));
    if (options.autosaveMs) {
      this.autosaveTimer = setInterval(() => void this.autosaveNow().catch(() => {}), options.autosaveMs);
      this.autosaveTimer.unref();
    }
  }

  /** Validated entry point used by every transport. */
  async dispatch(method: string, input: unknown): Promise<unknown> {
    const parsed = parseInput(method, input);
    const handler = this.handlers[parsed.method] as (i: unknown) => Promise<unknown>;
    return handler(parsed.input);
  }

  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    return this.dispatch(method, input) as Promise<Output<M>>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  async close(): Promise<void> {
    if (this.autosaveTimer) clearInterval(this.autosaveTimer);
    await this.jobs.close();
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.emitter.emit(event, payload);
  }

  private session(docId: string): DocumentSession {
    const s = this.sessions.get(docId);
    if (!s) throw new LaminaError('not_found', `no open document "${docId}"`);
    return s;
  }

  private addSession(document: LaminaDocument, store: ImageStore, path: string | null): DocumentSession {
    const s = new DocumentSession(randomUUID(), document, store, path);
    this.sessions.set(s.docId, s);
    return s;
  }

  private changed(s: DocumentSession) {
    const snap = s.snapshot();
    this.emit('document.changed', { docId: s.docId, version: snap.version });
    return snap;
  }

  private recoveryPath(s: DocumentSession): string {
    return join(this.options.recoveryDir, `${s.docId}.ora`);
  }

  /** Writes every dirty document to its recovery file. */
  async autosaveNow(): Promise<string[]> {
    const written: string[] = [];
    for (const s of this.sessions.values()) {
      if (!s.dirty) continue;
      await mkdir(this.options.recoveryDir, { recursive: true });
      const path = this.recoveryPath(s);
      await writeDocumentFile(s.document, s.store, 'ora', path);
      written.push(path);
    }
    return written;
  }

  private async dropRecovery(s: DocumentSession): Promise<void> {
    await rm(this.recoveryPath(s), { force: true });
  }

  private readonly handlers: Handlers = {
    'app.info': async () => {
      const registry = await loadPackRegistry(this.options.packDirs);
      const ort = ortInfo();
      return { version: APP_VERSION, node: process.versions.node, onnxruntime: ort.version, providers: ort.providers, packs: registry.summaries };
    },

    'document.new': async ({ width, height, name }) => {
      const doc: LaminaDocument = { formatVersion: 1, name: name ?? 'Untitled', width, height, layers: [] };
      return this.addSession(doc, new ImageStore(), null).snapshot();
    },

    'document.open': async ({ path }) => {
      const store = new ImageStore();
      const doc = await readDocumentFile({ path }, store);
      const isOra = extname(path).toLowerCase() === '.ora';
      return this.addSession(doc, store, isOra ? path : null).snapshot();
    },

    'document.openBytes': async ({ name, dataBase64 }) => {
      const store = new ImageStore();
      const doc = await readDocumentFile({ bytes: Buffer.from(dataBase64, 'base64'), name }, store);
      return this.addSession(doc, store, null).snapshot();
    },

    'document.import': async ({ docId, path, file }) => {
      const s = this.session(docId);
      const source = path ? { path } : { bytes: Buffer.from(file!.dataBase64, 'base64'), name: file!.name };
      const incoming = new ImageStore();
      const imported = await readDocumentFile(source, incoming);
      for (const id of incoming.ids()) if (!s.store.has(id)) s.store.put(incoming.get(id), id);
      const layers: Layer[] = remapLayerIds(imported.layers, s.document.layers);
      const label = `Import ${path ? basename(path) : file!.name}`;
      const ops: DocumentOp[] = layers.map((layer, i) => ({ op: 'add', layer, parentId: null, index: i }));
      s.apply(ops, 'record', label);
      return this.changed(s);
    },

    'document.get': async ({ docId }) => this.session(docId).snapshot(),

    'document.list': async () =>
      [...this.sessions.values()].map((s) => {
        const { document, ...rest } = s.snapshot();
        return { ...rest, name: document.name };
      }),

    'document.mutate': async ({ docId, ops, history, label, mergeKey }) => {
      const s = this.session(docId);
      s.apply(ops, history, label, mergeKey);
      return this.changed(s);
    },

    'document.undo': async ({ docId }) => {
      const s = this.session(docId);
      s.undo();
      return this.changed(s);
    },

    'document.redo': async ({ docId }) => {
      const s = this.session(docId);
      s.redo();
      return this.changed(s);
    },

    'document.save': async ({ docId, path }) => {
      const s = this.session(docId);
      const target = path ?? s.path;
      if (!target) throw new LaminaError('bad_request', 'this document has no file yet: give a path ending in .ora');
      if (extname(target).toLowerCase() !== '.ora') throw new LaminaError('bad_request', `save writes OpenRaster (.ora); use export for "${basename(target)}"`);
      await writeDocumentFile(s.document, s.store, 'ora', target);
      s.markSaved(target);
      s.collectGarbage();
      await this.dropRecovery(s);
      this.changed(s);
      return { path: target };
    },

    'document.close': async ({ docId }) => {
      const s = this.sessions.get(docId);
      if (!s) return { closed: false };
      this.sessions.delete(docId);
      await this.dropRecovery(s);
      return { closed: true };
    },

    'document.image': async ({ docId, imageId }) => {
      const img = this.session(docId).store.get(imageId);
      return { width: img.width, height: img.height, rgba: img.data };
    },

    'document.putImage': async ({ docId, image: { width, height, rgba } }) => {
      const s = this.session(docId);
      return { imageId: s.store.put({ width, height, data: rgba }), width, height };
    },

    'document.recoveryList': async () => {
      let names: string[] = [];
      try {
        names = (await readdir(this.options.recoveryDir)).filter((n) => n.endsWith('.ora'));
      } catch {
        return [];
      }
      const open = new Set([...this.sessions.values()].map((s) => this.recoveryPath(s)));
      const out = [];
      for (const n of names) {
        const path = join(this.options.recoveryDir, n);
        if (open.has(path)) continue;
        const st = await stat(path);
        out.push({ path, name: n, savedAt: st.mtime.toISOString() });
      }
      return out;
    },

    'document.recover': async ({ path }) => {
      this.assertRecoveryPath(path);
      const store = new ImageStore();
      const doc = await readDocumentFile({ path }, store);
      const s = this.addSession(doc, store, null);
      s.apply([{ op: 'rename-document', name: doc.name }], 'ignore', 'Recovered');
      await rm(path, { force: true });
      return s.snapshot();
    },

    'document.discardRecovery': async ({ path }) => {
      this.assertRecoveryPath(path);
      await rm(path, { force: true });
      return { removed: true };
    },

    'export.run': async ({ docId, format, path }) => {
      const s = this.session(docId);
      const paths = await writeDocumentFile(s.document, s.store, format, path);
      return { paths };
    },

    'export.bytes': async ({ docId, format }) => {
      const s = this.session(docId);
      const bytes = await documentFileBytes(s.document, s.store, format);
      return { name: `${s.document.name}.${format}`, dataBase64: Buffer.from(bytes).toString('base64') };
    },

    'jobs.start': async ({ task, spec, docId }) => {
      const s = docId ? this.session(docId) : null;
      if ('layerId' in spec) {
        // tasks on a layer read it from an open document
        if (!s) throw new LaminaError('bad_request', `task "${task}" works on a layer of an open document: give docId`);
        if (!findLayer(s.document.layers, spec.layerId)) throw new LaminaError('not_found', `no layer "${spec.layerId}" in this document`);
      }
      const inputs = task === 'place' && s && 'layerId' in spec ? placeInputs(s.document, s.store, spec.layerId) : undefined;
      const { jobId } = this.jobs.start({ task, spec, packDirs: this.options.packDirs, ...(inputs ? { inputs } : {}) } as JobPayload);
      this.jobInfo.set(jobId, { task, ...(docId ? { docId } : {}) });
      return { jobId };
    },

    'jobs.cancel': async ({ jobId }) => ({ cancelled: this.jobs.cancel(jobId) }),

    'jobs.list': async () => this.jobs.list(),

    'models.list': async () => (await loadPackRegistry(this.options.packDirs)).summaries,

    'models.info': async ({ id }) => {
      const registry = await loadPackRegistry(this.options.packDirs);
      const summary = registry.summaries.find((s) => s.id === id);
      if (!summary) throw new LaminaError('not_found', `no model pack "${id}"`);
      const manifest = JSON.parse(await readFile(join(summary.dir, 'manifest.json'), 'utf8'));
      return { summary, manifest };
    },
  };

  /** Job events go out as they come; a job's 'done' comes after finishJob landed its result. */
  private forwardJobEvent(ev: JobEvent): void {
    if (['done', 'failed', 'cancelled'].includes(ev.state)) this.jobInfo.delete(ev.jobId);
    this.emit('job.event', ev);
  }

  /** A job's result, parsed once with its task's schema, lands in its document as one
   * undo step. Throwing here fails the job (its event, jobs.list). */
  private async finishJob(jobId: string, raw: unknown): Promise<TaskResult> {
    const info = this.jobInfo.get(jobId);
    if (!info) throw new LaminaError('internal', `job ${jobId} finished but the engine has no record of it`);
    const parsed = TASKS[info.task].result.safeParse(raw);
    if (!parsed.success) throw new LaminaError('internal', `${info.task} result: ${describeZodError(parsed.error)}`);
    const result = parsed.data as TaskResult;
    const s = info.docId ? this.sessions.get(info.docId) : undefined;
    if (!s) return result; // no document, or closed while the job ran
    const ops = await landingOps(s.document, s.store, result);
    if (ops) {
      s.apply(ops, 'record', TASKS[info.task].label);
      this.changed(s);
    }
    return result;
  }

  private assertRecoveryPath(path: string): void {
    if (!path.startsWith(this.options.recoveryDir)) throw new LaminaError('bad_request', `"${path}" is not a recovery file`);
  }
}


// The engine: implements every method of the contract over open document sessions, the
// job queue and the pack registry. Transports (IPC, WebSocket, CLI) validate at the edge
// with `dispatch`, which is the only entry point they use.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
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
import { TASKS, type TaskName, type TaskSpec } from '../../common/contract/tasks.ts';
import { cropResultLayer, groupOffset, maskResultLayer, regenerateAreaInit, replaceSelectedPixels } from './session/regenerate-area.ts';
import type { RawImage } from '../../common/contract/raw-image.ts';
import type { TaskResult } from '../../common/contract/task-results.ts';
import { describeZodError } from '../../common/contract/validate.ts';
import { exportTargetProblem } from '../../common/contract/export-target.ts';
import { sweepTempLitter } from './document/atomic-write.ts';
import { readDocumentFile, writeDocumentFile, documentFileBytes } from './document/document-files.ts';
import { ImageStore } from './imaging/image-store.ts';
import type { JobRunnerSpec } from './jobs/job-host.ts';
import { JobQueue } from './jobs/job-queue.ts';
import { ortInfo } from './runtime/ort-info.ts';
import { loadPackRegistry } from './runtime/pack-registry.ts';
import { DocumentSession } from './session/document-session.ts';
import { FileAccess, isInside } from './session/file-access.ts';
import { generationEntryOps } from './session/generation-entries.ts';
import { landingOps } from './session/land-result.ts';
import { decomposeInputs, placeInputs, textEditInputs, type DecomposeMarks } from './session/layer-inputs.ts';
import { remapLayerIds } from './session/remap-layer-ids.ts';

export interface EngineOptions {
  /** folders holding model packs (each pack is a subfolder with manifest.json) */
  packDirs: string[];
  /** where autosave recovery files go */
  recoveryDir: string;
  /** where Save puts a document that has no file yet, and what relative save/export paths are
   * relative to ($LAMINA_HOME/projects by default) */
  projectsDir?: string;
  /** autosave period in ms; 0 disables the timer (tests call autosaveNow) */
  autosaveMs?: number;
  /** where jobs run (benches and tests): a worker-thread entry URL or { process: URL }; the real job process by default */
  jobWorker?: JobRunnerSpec;
  /** folders whose files contract calls may read and write (`lamina serve`); null or absent: any folder */
  fileRoots?: string[] | null;
}

type Handlers = { [M in Method]: (input: z.output<Contract[M]['input']>) => Promise<Output<M>> };

/** calls by which a client shows it has a document open (reads do not count: a second
 * window looking at a document does not keep it from being offered back) */
const CLAIMING = new Set<Method>(['document.new', 'document.open', 'document.openBytes', 'document.recover', 'document.import', 'document.mutate', 'document.undo', 'document.redo', 'document.save', 'jobs.start']);

const require = createRequire(import.meta.url);
const APP_VERSION: string = require('../../package.json').version;

export class Engine implements LaminaClient {
  private readonly sessions = new Map<string, DocumentSession>();
  private readonly emitter = new EventEmitter();
  /** each running job's task and the document its result lands in */
  private readonly jobInfo = new Map<string, { task: TaskName; docId?: string; replaceLayerId?: string; cropTo?: [number, number, number, number]; spec?: unknown; selection?: RawImage; into?: string }>();
  readonly jobs: JobQueue;
  /** the paths contract calls may use (./session/file-access.ts) */
  readonly files: FileAccess;
  private autosaveTimer: NodeJS.Timeout | null = null;
  /** which transport clients (a browser tab's socket) have each document open */
  private readonly owners = new Map<string, Set<string>>();
  /** open documents whose every client went away (a browser reload): offered for recovery */
  private readonly orphaned = new Set<string>();
  private orphanSaves: Promise<unknown> = Promise.resolve();
  /** temp files that saves killed mid-write left in the engine's own folders, removed at start */
  private readonly litterSwept: Promise<unknown>;

  constructor(readonly options: EngineOptions) {
    // the projects folder (where Save puts a new document) is always one of the roots
    this.files = new FileAccess({ roots: options.fileRoots ? [...options.fileRoots, this.projectsDir] : null });
    this.jobs = new JobQueue(options.jobWorker, (jobId, raw) => this.finishJob(jobId, raw));
    this.emitter.setMaxListeners(100);
    this.jobs.onEvent((ev) => this.forwardJobEvent(ev));
    if (options.autosaveMs) {
      this.autosaveTimer = setInterval(() => void this.autosaveNow().catch(() => {}), options.autosaveMs);
      this.autosaveTimer.unref();
    }
    this.litterSwept = Promise.all([sweepTempLitter(options.recoveryDir), sweepTempLitter(this.projectsDir)]);
  }

  /** Validated entry point used by every transport. `client`: the caller's connection (the
   * server's socket), so that a document whose clients all left can be offered back. */
  async dispatch(method: string, input: unknown, client?: string): Promise<unknown> {
    const parsed = parseInput(method, input);
    const handler = this.handlers[parsed.method] as (i: unknown) => Promise<unknown>;
    const output = await handler(parsed.input);
    if (client && CLAIMING.has(parsed.method)) {
      const docId = (parsed.input as { docId?: unknown }).docId ?? (output as { docId?: unknown } | null)?.docId;
      if (typeof docId === 'string' && this.sessions.has(docId)) this.claim(client, docId);
    }
    return output;
  }

  private claim(client: string, docId: string): void {
    const set = this.owners.get(docId) ?? new Set();
    set.add(client);
    this.owners.set(docId, set);
    this.orphaned.delete(docId);
  }

  /** A client went away (its socket closed): documents no other client has open become
   * orphans; the dirty ones are autosaved at once and offered by document.recoveryList. */
  releaseClient(client: string): void {
    for (const [docId, set] of this.owners) {
      if (!set.delete(client) || set.size > 0) continue;
      this.owners.delete(docId);
      const s = this.sessions.get(docId);
      if (!s) continue;
      this.orphaned.add(docId);
      if (s.dirty) this.orphanSaves = this.orphanSaves.then(() => this.autosaveOne(s)).catch(() => undefined);
    }
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
    await this.litterSwept;
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

  /** Where documents without a file go; relative paths are relative to it. */
  get projectsDir(): string {
    return this.options.projectsDir ?? join(dirname(this.options.recoveryDir), 'projects');
  }

  private userPath(path: string): string {
    return isAbsolute(path) ? path : resolve(this.projectsDir, path);
  }

  private recoveryPath(s: DocumentSession): string {
    return join(this.options.recoveryDir, `${s.docId}.ora`);
  }

  /** Writes every dirty document to its recovery file. */
  async autosaveNow(): Promise<string[]> {
    const written: string[] = [];
    for (const s of this.sessions.values()) {
      if (s.dirty) written.push(await this.autosaveOne(s));
    }
    return written;
  }

  private async autosaveOne(s: DocumentSession): Promise<string> {
    await mkdir(this.options.recoveryDir, { recursive: true });
    const path = this.recoveryPath(s);
    await writeDocumentFile(s.document, s.store, 'ora', path);
    return path;
  }

  /** The orphaned open document whose recovery file is `path`, if any. */
  private orphanAt(path: string): DocumentSession | undefined {
    for (const id of this.orphaned) {
      const s = this.sessions.get(id);
      if (s && this.recoveryPath(s) === path) return s;
    }
    return undefined;
  }

  private async dropRecovery(s: DocumentSession): Promise<void> {
    await rm(this.recoveryPath(s), { force: true });
  }

  private readonly handlers: Handlers = {
    'app.info': async () => {
      const registry = await loadPackRegistry(this.options.packDirs);
      const ort = ortInfo();
      return { version: APP_VERSION, node: process.versions.node, onnxruntime: ort.version, providers: ort.providers, packs: registry.summaries, projectsDir: this.projectsDir };
    },

    'document.new': async ({ width, height, name }) => {
      const doc: LaminaDocument = { formatVersion: 1, name: name ?? 'Untitled', width, height, layers: [] };
      return this.addSession(doc, new ImageStore(), null).snapshot();
    },

    'document.open': async ({ path: given }) => {
      const path = await this.files.checkRead(given);
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
      const source = path ? { path: await this.files.checkRead(path) } : { bytes: Buffer.from(file!.dataBase64, 'base64'), name: file!.name };
      const incoming = new ImageStore();
      const imported = await readDocumentFile(source, incoming);
      for (const id of incoming.ids()) if (!s.store.has(id)) s.store.put(incoming.get(id), id);
      // the imported picture lands centred on the canvas (whole pixels), its layers keeping their places in it
      const dx = Math.round((s.document.width - imported.width) / 2), dy = Math.round((s.document.height - imported.height) / 2);
      const layers: Layer[] = remapLayerIds(imported.layers, s.document.layers).map((l) => ({ ...l, x: l.x + dx, y: l.y + dy }));
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

    'document.save': async ({ docId, path, overwrite }) => {
      const s = this.session(docId);
      // a document without a file goes to the projects folder under its name
      const given = path ? this.userPath(path) : (s.path ?? join(this.projectsDir, `${safeFileName(s.document.name)}.ora`));
      if (extname(given).toLowerCase() !== '.ora') throw new LaminaError('bad_request', `save writes OpenRaster (.ora); use export for "${basename(given)}"`);
      if (dirname(given) === this.projectsDir) await mkdir(this.projectsDir, { recursive: true });
      const target = await this.files.checkWrite(given, 'ora');
      if (target !== s.path && !overwrite && (await exists(target))) throw new LaminaError('exists', `${target} already exists: replace it, or choose another name`);
      // Save As: the document takes the new file's name (title, export names follow)
      const name = basename(target, extname(target));
      if (target !== s.path && name !== s.document.name) s.apply([{ op: 'rename-document', name }], 'ignore', 'Rename');
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
      this.owners.delete(docId);
      this.orphaned.delete(docId);
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
      await this.litterSwept;
      await this.orphanSaves;
      let names: string[] = [];
      try {
        names = (await readdir(this.options.recoveryDir)).filter((n) => n.endsWith('.ora'));
      } catch {
        return [];
      }
      // documents some client still has open are not lost; orphans (their tab reloaded) are
      const open = new Set([...this.sessions.values()].filter((s) => !this.orphaned.has(s.docId)).map((s) => this.recoveryPath(s)));
      const out = [];
      for (const n of names) {
        const path = join(this.options.recoveryDir, n);
        if (open.has(path)) continue;
        const st = await stat(path);
        out.push({ path, name: this.orphanAt(path)?.document.name ?? n, savedAt: st.mtime.toISOString() });
      }
      return out;
    },

    'document.recover': async ({ path }) => {
      this.assertRecoveryPath(path);
      // a document still open here (its tab reloaded) comes back live, with its undo history
      const live = this.orphanAt(path);
      if (live) {
        this.orphaned.delete(live.docId);
        await rm(path, { force: true });
        return live.snapshot();
      }
      const store = new ImageStore();
      const doc = await readDocumentFile({ path }, store);
      const s = this.addSession(doc, store, null);
      s.apply([{ op: 'rename-document', name: doc.name }], 'ignore', 'Recovered');
      await rm(path, { force: true });
      return s.snapshot();
    },

    'document.discardRecovery': async ({ path }) => {
      this.assertRecoveryPath(path);
      const live = this.orphanAt(path);
      if (live) {
        this.sessions.delete(live.docId);
        this.orphaned.delete(live.docId);
      }
      await rm(path, { force: true });
      return { removed: true };
    },

    'export.run': async ({ docId, format, path: given }) => {
      const s = this.session(docId);
      const path = this.userPath(given);
      const problem = exportTargetProblem(format, path, s.path);
      if (problem) throw new LaminaError('bad_request', problem);
      const paths = await writeDocumentFile(s.document, s.store, format, await this.files.checkWrite(path, format));
      return { paths };
    },

    'export.bytes': async ({ docId, format }) => {
      const s = this.session(docId);
      const bytes = await documentFileBytes(s.document, s.store, format);
      return { name: `${s.document.name}.${format}`, dataBase64: Buffer.from(bytes).toString('base64') };
    },

    'jobs.start': async ({ task, spec: given, docId, replaceLayerId, regenerateArea }) => {
      const s = docId ? this.session(docId) : null;
      let spec = given;
      let cropTo: [number, number, number, number] | undefined;
      let selection: RawImage | undefined;
      let into_: string | undefined;
      if (regenerateArea) {
        if (task !== 'generate' || !s) throw new LaminaError('bad_request', 'regenerateArea is for a generate job on an open document (give docId)');
        const into = regenerateArea.into ? findLayer(s.document.layers, regenerateArea.into)?.layer : undefined;
        if (regenerateArea.into && (!into || into.kind !== 'raster')) throw new LaminaError('not_found', `no raster layer "${regenerateArea.into}" to replace the selection's pixels of`);
        if (regenerateArea.into && !regenerateArea.mask) throw new LaminaError('bad_request', 'replacing pixels needs the selection (regenerateArea.mask)');
        const area = regenerateAreaInit(s.document, s.store, regenerateArea.box, regenerateArea.strength, regenerateArea.mask);
        selection = regenerateArea.mask;
        into_ = regenerateArea.into;
        spec = { ...(given as TaskSpec<'generate'>), width: s.document.width, height: s.document.height, regions: [], order: [], init: area.init };
        cropTo = area.box;
      }
      if (replaceLayerId && (!s || !findLayer(s.document.layers, replaceLayerId))) throw new LaminaError('not_found', `no layer "${replaceLayerId}" to replace in this document`);
      if ('layerId' in spec) {
        // tasks on a layer read it from an open document
        if (!s) throw new LaminaError('bad_request', `task "${task}" works on a layer of an open document: give docId`);
        if (!findLayer(s.document.layers, spec.layerId)) throw new LaminaError('not_found', `no layer "${spec.layerId}" in this document`);
      }
      const onLayer = s && 'layerId' in spec ? spec.layerId : null;
      const inputs = !s || !onLayer ? undefined
        : task === 'place' ? placeInputs(s.document, s.store, onLayer)
          : task === 'decompose' ? decomposeInputs(s.document, s.store, onLayer, spec as DecomposeMarks)
            : task === 'text-edit' ? textEditInputs(s.document, s.store, onLayer) : undefined;
      // a text edit re-runs the layer's generation on the pack that made it
      if (task === 'text-edit' && !spec.packId && inputs?.provenance) spec = { ...spec, packId: inputs.provenance.packId };
      const { jobId } = this.jobs.start({ task, spec, packDirs: this.options.packDirs, ...(inputs ? { inputs } : {}) } as JobPayload);
      this.jobInfo.set(jobId, { task, spec, ...(docId ? { docId } : {}), ...(replaceLayerId ? { replaceLayerId } : {}), ...(cropTo ? { cropTo } : {}), ...(selection ? { selection } : {}), ...(into_ ? { into: into_ } : {}) });
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
    let result = parsed.data as TaskResult;
    if (info.cropTo && result.landing === 'add-layers') result = { ...result, layers: result.layers.map((l) => cropResultLayer(l, info.cropTo!)) };
    if (info.selection && result.landing === 'add-layers') result = { ...result, layers: result.layers.map((l) => maskResultLayer(l, info.selection!)) };
    const s = info.docId ? this.sessions.get(info.docId) : undefined;
    if (!s) return result; // no document, or closed while the job ran
    if (info.into && info.selection && result.landing === 'add-layers' && result.layers[0]) {
      // "replace the selection's pixels": the generated pixels go into the target layer where selected
      const loc = findLayer(s.document.layers, info.into);
      if (!loc || loc.layer.kind !== 'raster') throw new LaminaError('not_found', `layer "${info.into}" is no longer in the document`);
      const t = loc.layer;
      const [ox, oy] = groupOffset(s.document.layers, t.id);
      const cur = s.store.get(t.imageId);
      const px = replaceSelectedPixels({ x: t.x + ox, y: t.y + oy, width: cur.width, height: cur.height, rgba: cur.data }, result.layers[0], info.selection);
      result = { landing: 'update-pixels', layerId: t.id, image: { ...px, x: px.x - ox, y: px.y - oy, provenance: result.layers[0].provenance }, provider: result.provider, timings: result.timings, notes: result.notes };
    }
    // a layers job for one box ("re-generate this box", spec.only) asked to replace a layer: its new
    // pixels go into that layer in place (its id, name and stack place stay; the group's others untouched)
    if (info.task === 'layers' && info.replaceLayerId && result.landing === 'add-layers' && result.layers.length === 1 && (info.spec as TaskSpec<'layers'>).only) {
      const { name: _name, ...image } = result.layers[0];
      result = { landing: 'update-pixels', layerId: info.replaceLayerId, image, provider: result.provider, timings: result.timings, notes: result.notes };
    }
    // added layers asked to replace one that is still there land in its place instead
    const replace = info.replaceLayerId && result.landing === 'add-layers' && findLayer(s.document.layers, info.replaceLayerId) ? info.replaceLayerId : null;
    const ops = await landingOps(s.document, s.store, replace && result.landing === 'add-layers' ? { ...result, landing: 'replace-layer', layerId: replace } : result);
    if (ops && info.task === 'generate' && result.landing === 'add-layers') {
      const landed = ops.flatMap((op) => (op.op === 'add' ? [op.layer.id] : []));
      ops.push(...await generationEntryOps(info.spec as TaskSpec<'generate'>, result, landed, s.store, !!info.cropTo));
    }
    if (ops) {
      s.apply(ops, 'record', TASKS[info.task].label);
      this.changed(s);
    }
    return result;
  }

  private assertRecoveryPath(path: string): void {
    if (!isInside(this.options.recoveryDir, path) || extname(path).toLowerCase() !== '.ora') throw new LaminaError('bad_request', `"${path}" is not a recovery file`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** A document name as a file name: no path separators or characters file systems refuse. */
export function safeFileName(name: string): string {
  const clean = name.replace(/[\\/:*?"<>|\x00-\x1f]+/g, '-').replace(/^[.\s]+|[.\s]+$/g, '').slice(0, 120);
  return clean || 'Untitled';
}

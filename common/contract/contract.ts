// The one contract between UI and engine. Declared once here; bound over Electron IPC
// (preload), over WebSocket (`lamina serve`) and called directly by the CLI and tests.
import { z } from 'zod';
import { LaminaDocument } from '../document/document-schema.ts';
import { DocumentOp } from '../document/document-ops.ts';
import { JobStart, TaskName } from './tasks.ts';
import { ERROR_CODES } from '../errors/lamina-error.ts';
import { RawImage } from './raw-image.ts';
import { CanvasSide } from './limit-schemas.ts';
import { PackVocabulary } from './pack-vocabulary.ts';

const DocId = z.string().min(1);
const FilePath = z.string().min(1);
/** A file passed by value (browser drag-and-drop, upload): name + base64 bytes. */
export const FileBytes = z.object({ name: z.string().min(1), dataBase64: z.string() });

export const DocumentSnapshot = z.object({
  docId: DocId,
  version: z.number().int(),
  path: z.string().nullable(),
  dirty: z.boolean(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  undoLabel: z.string().nullable(),
  redoLabel: z.string().nullable(),
  document: LaminaDocument,
});
export type DocumentSnapshot = z.infer<typeof DocumentSnapshot>;

export const ExportFormat = z.enum(['ora', 'psd', 'png-stack', 'png']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const PackSummary = z.object({
  id: z.string(),
  version: z.string(),
  dir: z.string(),
  ok: z.boolean(),
  error: z.string().nullable(),
  pipelines: z.array(z.string()),
  /** the size the pack generates at (results are resampled to the canvas from it) */
  native: z.object({ width: z.number().int(), height: z.number().int() }).nullable().default(null),
  /** whether it also generates at other sizes (multiples of multipleOf), see common/models/generation-size.ts */
  resolution: z.object({ fixed: z.boolean(), multipleOf: z.number().int().positive() }).optional(),
  /** the sampler's default step count */
  defaultSteps: z.number().int().nullable().default(null),
  /** the transformer's family (lamina-mmdit, sd3, flux), weight dtype and estimated peak memory (verified packs) */
  family: z.string().optional(),
  dtype: z.string().optional(),
  memoryBytes: z.number().optional(),
  /** the words its prompts may use (word-level tokenizers only; null: any text) */
  vocabulary: PackVocabulary.nullable().default(null),
  /** the LoRA adapters it ships (GenerationSpec.adapters), with their default strengths */
  adapters: z.array(z.object({ id: z.string(), defaultStrength: z.number(), blocks: z.array(z.number().int()), description: z.string().optional() })).optional(),
});
export type PackSummary = z.infer<typeof PackSummary>;

export const JobState = z.enum(['queued', 'loading', 'step', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const JobEvent = z.object({
  jobId: z.string(),
  state: JobState,
  /** step events: 1-based step and total */
  i: z.number().int().optional(),
  n: z.number().int().optional(),
  /** small PNG preview, base64 */
  preview: z.string().optional(),
  /** done: the task's result (common/contract/task-results.ts), parsed by the engine */
  result: z.unknown().optional(),
  code: z.enum(ERROR_CODES).optional(),
  message: z.string().optional(),
});
export type JobEvent = z.infer<typeof JobEvent>;

const empty = z.object({}).strict();
const docRef = z.object({ docId: DocId });

function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const contract = {
  'app.info': call(empty, z.object({
    version: z.string(),
    node: z.string(),
    onnxruntime: z.string().nullable(),
    providers: z.array(z.object({ name: z.string(), bundled: z.boolean() })),
    packs: z.array(PackSummary),
    /** where Save puts new documents ($LAMINA_HOME/projects by default) */
    projectsDir: z.string(),
  })),

  'document.new': call(z.object({ width: CanvasSide, height: CanvasSide, name: z.string().optional() }), DocumentSnapshot),
  'document.open': call(z.object({ path: FilePath }), DocumentSnapshot),
  'document.openBytes': call(FileBytes, DocumentSnapshot),
  'document.import': call(z.object({ docId: DocId, path: FilePath.optional(), file: FileBytes.optional() }).refine((v) => !!v.path !== !!v.file, 'give exactly one of path or file'), DocumentSnapshot),
  'document.get': call(docRef, DocumentSnapshot),
  'document.list': call(empty, z.array(DocumentSnapshot.omit({ document: true }).extend({ name: z.string() }))),
  'document.mutate': call(z.object({
    docId: DocId,
    ops: z.array(DocumentOp).min(1),
    history: z.enum(['record', 'merge', 'ignore']).default('record'),
    label: z.string().default('Edit'),
    mergeKey: z.string().optional(),
  }), DocumentSnapshot),
  'document.undo': call(docRef, DocumentSnapshot),
  'document.redo': call(docRef, DocumentSnapshot),
  /** without a path: the document's own file, or <projectsDir>/<name>.ora for a new one;
   * a relative path is relative to projectsDir. An existing other file is replaced only with
   * `overwrite` (else the error code is `exists`). Saving to a new path renames the document. */
  'document.save': call(z.object({ docId: DocId, path: FilePath.optional(), overwrite: z.boolean().default(false) }), z.object({ path: z.string() })),
  'document.close': call(docRef, z.object({ closed: z.boolean() })),
  /** Pixels of one image of a document, raw RGBA (./raw-image.ts). */
  'document.image': call(z.object({ docId: DocId, imageId: z.string() }), RawImage),
  /** Put new raw RGBA pixels into the document's image store; returns the new image id. */
  'document.putImage': call(z.object({ docId: DocId, image: RawImage }), z.object({ imageId: z.string(), width: z.number(), height: z.number() })),
  'document.recoveryList': call(empty, z.array(z.object({ path: z.string(), name: z.string(), savedAt: z.string() }))),
  'document.recover': call(z.object({ path: FilePath }), DocumentSnapshot),
  'document.discardRecovery': call(z.object({ path: FilePath }), z.object({ removed: z.boolean() })),

  /** refuses the document's own file and an extension that is not the format's
   * (common/contract/export-target.ts); a relative path is relative to projectsDir */
  'export.run': call(z.object({ docId: DocId, format: ExportFormat, path: FilePath }), z.object({ paths: z.array(z.string()) })),
  /** Export to bytes (browser download): PSD, ORA or flattened PNG. */
  'export.bytes': call(z.object({ docId: DocId, format: z.enum(['ora', 'psd', 'png']) }), FileBytes),

  /** a job of one task (common/contract/tasks.ts); its result lands in `docId` as one undo step */
  'jobs.start': call(JobStart, z.object({ jobId: z.string() })),
  'jobs.cancel': call(z.object({ jobId: z.string() }), z.object({ cancelled: z.boolean() })),
  'jobs.list': call(empty, z.array(z.object({ jobId: z.string(), task: TaskName, state: JobState }))),

  'models.list': call(empty, z.array(PackSummary)),
  'models.info': call(z.object({ id: z.string() }), z.object({ summary: PackSummary, manifest: z.unknown() })),
} as const;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

/** Events pushed from engine to clients. */
export const events = {
  'job.event': JobEvent,
  'document.changed': z.object({ docId: DocId, version: z.number().int() }),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const METHODS = Object.keys(contract) as Method[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** A transport-neutral client: what every binding (IPC, WebSocket, direct) provides. */
export interface LaminaClient {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

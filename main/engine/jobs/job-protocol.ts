// Messages between the engine (main side) and its job worker thread.
import type { JobEvent } from '../../../common/contract/contract.ts';
import type { JobStart } from '../../../common/contract/tasks.ts';
import type { Provenance } from '../../../common/document/provenance.ts';

/** Raw straight-alpha RGBA (crosses to the worker by transfer). */
export interface RawImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** One byte per pixel, 1 = in (an object's mask). */
export interface RawMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Pixels a task on a layer reads from its document, gathered by the engine before the
 * job starts (the worker has no documents): for place, the object layer and the
 * composite of the visible layers below it. */
export interface JobInputs {
  background?: RawImage;
  object?: RawImage;
  /** decompose: the layer's own pixels, its offset on the canvas and its name */
  layer?: { image: RawImage; x: number; y: number; name: string };
  /** decompose: the object's mask on the layer's grid, when the spec gave a mask or a region */
  objectMask?: RawMask;
  /** text-edit: how the layer was made (its provenance record, as the document keeps it) */
  provenance?: Provenance;
}

/** A job as the worker runs it: its task and spec (checked by the contract), where packs
 * are, and the document pixels it reads. */
export type JobPayload = Pick<JobStart, 'task' | 'spec'> & { packDirs: string[]; inputs?: JobInputs };

export type ToWorker =
  | { type: 'start'; jobId: string; payload: JobPayload }
  | { type: 'cancel'; jobId: string }
  | { type: 'stats' };

/** What the job host holds (load tests: no session left in use, memory flat). */
export interface JobHostStats { sessionsOpen: number; sessionsInUse: number; rssBytes: number; running: number }

export type FromWorker = { type: 'event'; event: JobEvent } | { type: 'stats'; stats: JobHostStats };

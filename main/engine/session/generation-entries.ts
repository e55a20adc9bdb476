// A finished generation's entries for the document's history (common/document/
// generation-history.ts): one per result layer, with the spec as it ran for that layer
// (its own seed, batch 1), the id of the layer it landed as and a thumbnail put into the
// document's image store. They join the landing's ops, so the result is one undo step.
import { randomUUID } from 'node:crypto';
import type { GenerationSpec } from '../../../common/contract/generation-spec.ts';
import type { AddLayersResult } from '../../../common/contract/task-results.ts';
import type { DocumentOp } from '../../../common/document/document-ops.ts';
import { THUMBNAIL_SIDE } from '../../../common/document/generation-history.ts';
import { resizeToFit } from '../imaging/image-codec.ts';
import type { ImageStore } from '../imaging/image-store.ts';

/** `landed`: the ids of the layers the result became, in the result's order. */
export async function generationEntryOps(spec: GenerationSpec, result: AddLayersResult, landed: readonly string[], store: ImageStore, area: boolean, now = new Date()): Promise<DocumentOp[]> {
  const { init: _init, ...ran } = spec;
  const ops: DocumentOp[] = [];
  // oldest first, so the log (newest first) lists the batch's first variation on top
  for (let k = result.layers.length - 1; k >= 0; k--) {
    const layer = result.layers[k];
    const thumb = await resizeToFit({ width: layer.width, height: layer.height, data: layer.rgba }, THUMBNAIL_SIDE);
    const thumbnailId = store.put(thumb.data === layer.rgba ? { ...thumb, data: layer.rgba.slice() } : thumb);
    ops.push({
      op: 'record-generation',
      entry: {
        id: randomUUID(), createdAt: now.toISOString(), area,
        spec: { ...ran, seed: layer.provenance.seed, batch: 1 },
        ...(landed[k] ? { layerId: landed[k] } : {}), thumbnailId,
      },
    });
  }
  return ops;
}

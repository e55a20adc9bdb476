// The document the crash harness saves and checks. Its version marker lives in the
// document's content, not its name (a Save As renames the document after its file): a
// small layer "marker" whose name is `v<N>` and whose pixels encode N, rewritten before
// each save. Four noise layers (so a save takes tens of milliseconds) have pixels the
// checker regenerates from their seed, so a file that reads but holds other pixels fails.
import type { LaminaDocument, Layer } from '../../../common/document/document-schema.ts';
import type { DocumentOp } from '../../../common/document/document-ops.ts';
import type { Engine } from '../engine.ts';
import type { ImageStore } from '../imaging/image-store.ts';

export const NOISE_LAYERS = 4;
const NOISE = 384;
const MARKER = 8;

/** The RGBA of noise layer `i` (opaque, so every format keeps it bit for bit). */
export function noisePixels(i: number): Uint8Array {
  const rgba = new Uint8Array(NOISE * NOISE * 4);
  let state = 12345 + i * 7919;
  for (let k = 0; k < rgba.length; k++) rgba[k] = k % 4 === 3 ? 255 : (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
  return rgba;
}

function markerPixels(v: number): Uint8Array {
  const rgba = new Uint8Array(MARKER * MARKER * 4);
  for (let k = 0; k < rgba.length; k += 4) rgba.set([(v >>> 8) & 255, v & 255, 0, 255], k);
  return rgba;
}

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null, kind: 'raster' as const };

/** A new 768 px document in `engine` with the noise layers and the marker at version 0. */
export async function newCrashDocument(engine: Engine): Promise<string> {
  const { docId } = await engine.call('document.new', { width: 768, height: 768, name: 'crash test' });
  for (let i = 0; i < NOISE_LAYERS; i++) {
    const { imageId } = await engine.call('document.putImage', { docId, image: { width: NOISE, height: NOISE, rgba: noisePixels(i) } });
    const layer = { ...base, id: `l${i}`, name: `Noise ${i}`, imageId, width: NOISE, height: NOISE, x: i * 96, y: i * 96 };
    await engine.call('document.mutate', { docId, ops: [{ op: 'add', layer, parentId: null, index: 0 }] });
  }
  const { imageId } = await engine.call('document.putImage', { docId, image: { width: MARKER, height: MARKER, rgba: markerPixels(0) } });
  await engine.call('document.mutate', { docId, ops: [{ op: 'add', layer: { ...base, id: 'marker', name: 'v0', imageId, width: MARKER, height: MARKER, x: 0, y: 0 }, parentId: null, index: 0 }] });
  return docId;
}

/** Sets the marker to version `v` (its name and its pixels), one edit. */
export async function markVersion(engine: Engine, docId: string, v: number): Promise<void> {
  const { imageId } = await engine.call('document.putImage', { docId, image: { width: MARKER, height: MARKER, rgba: markerPixels(v) } });
  const ops: DocumentOp[] = [{ op: 'update', id: 'marker', patch: { name: `v${v}`, imageId } }];
  await engine.call('document.mutate', { docId, ops });
}

/** The version a read-back document holds, or what is wrong with it. */
export function readVersion(doc: LaminaDocument, store: ImageStore): { version: number } | { problem: string } {
  const flat: Layer[] = [];
  const walk = (ls: readonly Layer[]) => ls.forEach((l) => (flat.push(l), 'children' in l && Array.isArray(l.children) && walk(l.children as Layer[])));
  walk(doc.layers);
  const pixels = (l: Layer | undefined) => (l && 'imageId' in l && typeof l.imageId === 'string' ? store.get(l.imageId).data : null);
  if (flat.length !== NOISE_LAYERS + 1) return { problem: `${flat.length} layers, expected ${NOISE_LAYERS + 1}` };
  for (let i = 0; i < NOISE_LAYERS; i++) {
    const got = pixels(flat.find((l) => l.name === `Noise ${i}`));
    if (!got || !Buffer.from(got).equals(Buffer.from(noisePixels(i)))) return { problem: `layer "Noise ${i}" ${got ? 'holds other pixels' : 'is missing'}` };
  }
  const marker = flat.find((l) => /^v\d+$/.test(l.name));
  const px = pixels(marker);
  if (!marker || !px) return { problem: 'no marker layer' };
  const version = Number(marker.name.slice(1));
  const inPixels = (px[0] << 8) | px[1];
  if (inPixels !== (version & 0xffff)) return { problem: `marker torn: named v${version}, its pixels say ${inPixels}` };
  return { version };
}

// `lamina decompose --image in.png|in.ora --mask m.png|--box x,y,w,h|--all [--max-objects N]
//  --out out.ora|out.psd|DIR [--method model|inpaint] [--pack ID] [--force] [--json]`: the image split
// into a clean background and the marked object as a transparent layer (LayerDecomp,
// issue 16), or with --all every object the model finds, peeled front to back (at most N,
// default 8). DIR = a PNG stack (001 = the background, then the objects back to front,
// manifest.json, composite.png), every layer at the input's size. A document input is
// flattened first. The mask: white (or opaque) = the object, the image's size. Default
// method: `model` when a pack has a decomposition model, else `inpaint` (said in the
// output); --all needs the model.
import { resolve } from 'node:path';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import type { LaminaDocument } from '../../common/document/document-schema.ts';
import { defaultEngineOptions } from '../engine/engine-defaults.ts';
import { writeDocumentFile } from '../engine/document/document-files.ts';
import { ImageStore } from '../engine/imaging/image-store.ts';
import type { RgbaImage } from '../engine/imaging/rgba-image.ts';
import { maskFromBox, maskFromPicture } from '../engine/pipelines/decompose/decompose-mask.ts';
import { peeledObjectName } from '../engine/pipelines/decompose/decompose-all.ts';
import { DecomposePipeline, type DecomposeMethod } from '../engine/pipelines/pipeline-decompose.ts';
import { loadPackRegistry } from '../engine/runtime/pack-registry.ts';
import { readFlatImage } from './cli-images.ts';
import { CliUsageError, documentOutputFormat, printJson } from './cli-output.ts';
import { exportRefusal } from './command-export.ts';
import { parseCommandArgs, type Command } from './lamina.ts';

export function parseBox(text: string): [number, number, number, number] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || !parts.every(Number.isFinite)) throw new CliUsageError(`--box needs x,y,width,height in pixels (got "${text}")`);
  return parts as [number, number, number, number];
}

/** The layers as a document: the objects (back to front) over the background, all full size. */
/** `single`: one marked object ("Object"); otherwise the peeled objects' names (decompose-all.ts). */
export function decompositionDocument(name: string, bg: RgbaImage, foregrounds: RgbaImage[], store: ImageStore, single = false): LaminaDocument {
  const layer = (id: string, layerName: string, img: RgbaImage) => ({
    id, name: layerName, visible: true, opacity: 1, blendMode: 'normal' as const, x: 0, y: 0, locked: false, provenance: null,
    kind: 'raster' as const, imageId: store.put(img), width: img.width, height: img.height,
  });
  const n = foregrounds.length;
  const objects = foregrounds.map((fg, k) => (single ? layer('object', 'Object', fg) : layer(`object-${k + 1}`, peeledObjectName(k, n), fg)));
  return { formatVersion: 1, name, width: bg.width, height: bg.height, layers: [...objects.reverse(), layer('background', 'Background', bg)] };
}

async function pickMethod(asked: string | undefined, packId: string | undefined): Promise<{ method: DecomposeMethod; pipeline: DecomposePipeline; note?: string }> {
  if (asked && asked !== 'model' && asked !== 'inpaint') throw new CliUsageError(`--method is model or inpaint (got "${asked}")`);
  if (asked === 'inpaint') return { method: 'inpaint', pipeline: new DecomposePipeline(null) };
  const registry = await loadPackRegistry(defaultEngineOptions().packDirs);
  if (packId) return { method: 'model', pipeline: new DecomposePipeline(registry.resolve(packId, 'decompose')) };
  const pack = registry.summaries.find((s) => s.pipelines.includes('decompose'));
  if (pack) return { method: 'model', pipeline: new DecomposePipeline(registry.resolve(pack.id, 'decompose')) };
  if (asked === 'model') return { method: 'model', pipeline: new DecomposePipeline(null) }; // fails with its clear error
  return { method: 'inpaint', pipeline: new DecomposePipeline(null), note: 'no pack has a decomposition model yet: used the inpaint method (a shadow outside the mask stays in the background)' };
}

export const commandDecompose: Command = async (args) => {
  const { values } = parseCommandArgs({
    args,
    options: {
      image: { type: 'string' }, mask: { type: 'string' }, box: { type: 'string' }, out: { type: 'string' },
      method: { type: 'string' }, force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false }, 'max-objects': { type: 'string' }, pack: { type: 'string' },
    },
  });
  if (!values.image || !values.out) throw new CliUsageError('decompose needs --image in.png|in.ora, --mask m.png, --box x,y,w,h or --all, and --out out.ora|out.psd|DIR');
  if ([values.mask, values.box, values.all || undefined].filter(Boolean).length !== 1) throw new CliUsageError('decompose needs exactly one of --mask m.png, --box x,y,w,h and --all');
  const maxObjects = values['max-objects'] === undefined ? 8 : Number(values['max-objects']);
  if (!Number.isInteger(maxObjects) || maxObjects < 1 || maxObjects > 8) throw new CliUsageError(`--max-objects is a whole number from 1 to 8 (got "${values['max-objects']}")`);
  if (values['max-objects'] !== undefined && !values.all) throw new CliUsageError('--max-objects goes with --all');
  if (values.all && values.method === 'inpaint') throw new CliUsageError('--all finds the objects with the model: the inpaint method needs --mask or --box');
  const input = resolve(values.image);
  const out = resolve(values.out);
  const format = documentOutputFormat(out);
  const refusal = exportRefusal(format, out, input, values.force);
  if (refusal) throw new CliUsageError(refusal);
  const box = values.box ? parseBox(values.box) : null;
  if (values.pack && values.method === 'inpaint') throw new CliUsageError('--pack picks a decomposition model: the inpaint method uses none');
  const { method, pipeline, note } = await pickMethod(values.all ? 'model' : values.method, values.pack);
  const { image, notes } = await readFlatImage(input, 'image');
  if (values.all) return decomposeAll(pipeline, image, maxObjects, { notes, format, out, json: values.json });
  let mask;
  if (box) {
    mask = maskFromBox(box, image);
  } else {
    const m = await readFlatImage(resolve(values.mask!), 'mask'); // a greyscale or 16-bit mask is as good as any
    mask = maskFromPicture(m.image, image);
  }
  const result = await pipeline.decompose({ image, mask, method });
  if (note) notes.push(note);
  notes.push(...result.notes);
  const store = new ImageStore();
  const doc = decompositionDocument('Decomposition', result.background, [result.foreground], store, true);
  const written = await writeDocumentFile(doc, store, format, out);
  let maskPixels = 0;
  for (const v of mask.data) maskPixels += v;
  if (values.json) {
    printJson({ ok: true, method: result.method, image: { width: image.width, height: image.height }, mask: { pixels: maskPixels, ...(box ? { box } : {}) }, layers: doc.layers.map((l) => l.name), format, written, notes, ms: Math.round(result.timings.total_ms) });
  } else {
    process.stdout.write([...notes.map((n) => `note: ${n}`), `${result.method}: background + object (${maskPixels} px) -> ${format}`, ...written.map((p) => `wrote ${p}`)].join('\n') + '\n');
  }
  return 0;
};

async function decomposeAll(pipeline: DecomposePipeline, image: RgbaImage, maxObjects: number, o: { notes: string[]; format: ReturnType<typeof documentOutputFormat>; out: string; json: boolean }): Promise<number> {
  const result = await pipeline.decomposeAll({ image, maxForegrounds: maxObjects });
  if (result.foregrounds.length === 0) throw new LaminaError('bad_op', 'the model found no object in the image: nothing to decompose (mark one with --box or --mask)');
  const notes = [...o.notes, ...result.notes];
  const store = new ImageStore();
  const doc = decompositionDocument('Decomposition', result.background, result.foregrounds, store);
  const written = await writeDocumentFile(doc, store, o.format, o.out);
  if (o.json) {
    printJson({ ok: true, method: 'model', all: true, image: { width: image.width, height: image.height }, objects: result.foregrounds.length, stopped: result.stopped, layers: doc.layers.map((l) => l.name), format: o.format, written, notes, ms: Math.round(result.timings.total_ms) });
  } else {
    process.stdout.write([...notes.map((n) => `note: ${n}`), `model: background + ${result.foregrounds.length} object${result.foregrounds.length === 1 ? '' : 's'} -> ${o.format}`, ...written.map((p) => `wrote ${p}`)].join('\n') + '\n');
  }
  return 0;
}

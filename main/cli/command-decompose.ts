// `lamina decompose --image in.png|in.ora --mask m.png|--box x,y,w,h --out out.ora|out.psd|DIR
//  [--method model|inpaint] [--force] [--json]`: the image split into a clean background
// and the marked object as a transparent layer (LayerDecomp, issue 16). DIR = a PNG stack
// (001 = the background, 002 = the object, manifest.json, composite.png), every layer at
// the input's size. A document input is flattened first. The mask: white (or opaque) =
// the object, the image's size. Default method: `model` when a pack has a decomposition
// model, else `inpaint` (said in the output); no shipped pack has one yet.
import { resolve } from 'node:path';
import type { LaminaDocument } from '../../common/document/document-schema.ts';
import { defaultEngineOptions } from '../engine/engine-defaults.ts';
import { writeDocumentFile } from '../engine/document/document-files.ts';
import { ImageStore } from '../engine/imaging/image-store.ts';
import type { RgbaImage } from '../engine/imaging/rgba-image.ts';
import { maskFromBox, maskFromPicture } from '../engine/pipelines/decompose/decompose-mask.ts';
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

/** The two layers as a document: the object in front of the background, both full size. */
export function decompositionDocument(name: string, bg: RgbaImage, fg: RgbaImage, store: ImageStore): LaminaDocument {
  const layer = (id: string, layerName: string, img: RgbaImage) => ({
    id, name: layerName, visible: true, opacity: 1, blendMode: 'normal' as const, x: 0, y: 0, locked: false, provenance: null,
    kind: 'raster' as const, imageId: store.put(img), width: img.width, height: img.height,
  });
  return { formatVersion: 1, name, width: bg.width, height: bg.height, layers: [layer('object', 'Object', fg), layer('background', 'Background', bg)] };
}

async function pickMethod(asked: string | undefined): Promise<{ method: DecomposeMethod; pipeline: DecomposePipeline; note?: string }> {
  if (asked && asked !== 'model' && asked !== 'inpaint') throw new CliUsageError(`--method is model or inpaint (got "${asked}")`);
  if (asked === 'inpaint') return { method: 'inpaint', pipeline: new DecomposePipeline(null) };
  const registry = await loadPackRegistry(defaultEngineOptions().packDirs);
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
    },
  });
  if (!values.image || !values.out) throw new CliUsageError('decompose needs --image in.png|in.ora, --mask m.png or --box x,y,w,h, and --out out.ora|out.psd|DIR');
  if (!values.mask === !values.box) throw new CliUsageError('decompose needs exactly one of --mask m.png and --box x,y,w,h (decompose all, with no mask, needs the model: not available yet)');
  const input = resolve(values.image);
  const out = resolve(values.out);
  const format = documentOutputFormat(out);
  const refusal = exportRefusal(format, out, input, values.force);
  if (refusal) throw new CliUsageError(refusal);
  const box = values.box ? parseBox(values.box) : null;
  const { method, pipeline, note } = await pickMethod(values.method);
  const { image, notes } = await readFlatImage(input, 'image');
  let mask;
  if (box) {
    mask = maskFromBox(box, image);
  } else {
    const m = await readFlatImage(resolve(values.mask!), 'mask'); // a greyscale or 16-bit mask is as good as any
    mask = maskFromPicture(m.image, image);
  }
  const result = await pipeline.decompose({ image, mask, method });
  if (note) notes.push(note);
  const store = new ImageStore();
  const doc = decompositionDocument('Decomposition', result.background, result.foreground, store);
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

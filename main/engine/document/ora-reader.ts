// Reads an OpenRaster file. A Lamina-written file (lamina/document.json present) comes back
// exactly as saved; any other ORA (Krita, MyPaint, ...) is rebuilt from stack.xml as plain
// raster layers and groups. Hostile input fails with one LaminaError line (see zip-reader).
import { z } from 'zod';
import {
  LaminaDocument,
  MAX_CANVAS_SIDE,
  type Layer,
} from '../../../common/document/document-schema.ts';
import { documentImageIds, walkLayers } from '../../../common/document/layer-tree.ts';
import { LaminaError, quoted } from '../../../common/errors/lamina-error.ts';
import { firstLine } from '../imaging/first-line.ts';
import { assertImageSize, decodeImage, readImageSize } from '../imaging/image-codec.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { describeZodError } from '../../../common/contract/validate.ts';
import { StagedImages, type DocumentImport } from './document-import.ts';
import { fromOraCompositeOp } from './ora-blend-modes.ts';
import { LAMINA_ORA_FORMAT, LAMINA_ORA_MANIFEST, ORA_MIMETYPE } from './ora-writer.ts';
import { parseXml, type XmlElement } from './xml-lite.ts';
import { DEFAULT_ZIP_LIMITS, readZip, type ZipEntries, type ZipLimits } from './zip-reader.ts';

export interface OraReadOptions {
  /** Document name for files that do not carry one (usually the file name). */
  name?: string;
  /** How the file is called in messages. */
  what?: string;
  zipLimits?: ZipLimits;
}

const LaminaOraManifest = z.object({
  format: z.literal(LAMINA_ORA_FORMAT),
  version: z.literal(1),
  document: LaminaDocument,
  images: z.record(z.string(), z.string()),
});

export async function readOra(bytes: Uint8Array, store: ImageStore, options: OraReadOptions = {}): Promise<DocumentImport> {
  const what = options.what ?? 'OpenRaster file';
  const entries = readZip(bytes, what, options.zipLimits ?? DEFAULT_ZIP_LIMITS);
  assertMimetype(entries, what);
  await assertPixelBudget(entries, what);
  const staged = new StagedImages();
  const result = entries.has(LAMINA_ORA_MANIFEST)
    ? await readLaminaOra(entries, staged, what)
    : await readPlainOra(entries, staged, what, options.name ?? 'Untitled');
  staged.commit(store);
  return result;
}

function assertMimetype(entries: ZipEntries, what: string): void {
  const mimetype = entries.get('mimetype');
  if (!mimetype) throw new LaminaError('bad_file', `${what} is not an OpenRaster file: it has no "mimetype" entry`);
  const value = new TextDecoder().decode(mimetype.subarray(0, 100)).trim();
  if (value !== ORA_MIMETYPE) {
    throw new LaminaError('bad_file', `${what} is not an OpenRaster file: its mimetype is ${quoted(value, 60)}, expected "${ORA_MIMETYPE}"`);
  }
}

/** Raster layers a plain ORA may have (Krita and GIMP files have tens to hundreds). */
export const MAX_ORA_LAYERS = 5000;

/** Decoded pixels one file may need in all (each image is also limited on its own). */
export const MAX_DECODED_BYTES = 4 * 1024 ** 3;

/** Sums the header sizes of every layer image before decoding any of them. */
async function assertPixelBudget(entries: ZipEntries, what: string): Promise<void> {
  let bytes = 0;
  for (const [path, data] of entries) {
    if (!path.toLowerCase().endsWith('.png') || path === 'mergedimage.png' || path.startsWith('Thumbnails/')) continue;
    const { width, height } = await readImageSize(data, `${what}: ${path}`);
    assertImageSize(width, height, `${what}: ${path}`);
    bytes += width * height * 4;
    if (bytes > MAX_DECODED_BYTES) {
      throw new LaminaError('too_large', `${what} would need more than ${MAX_DECODED_BYTES / 1024 ** 3} GiB of decoded pixels; refusing it`);
    }
  }
}

function entry(entries: ZipEntries, path: string, what: string): Uint8Array {
  const data = entries.get(path);
  if (!data) throw new LaminaError('bad_file', `${what} is missing its entry ${quoted(path)}`);
  return data;
}

// --- Lamina's own files ---

async function readLaminaOra(entries: ZipEntries, staged: StagedImages, what: string): Promise<DocumentImport> {
  const manifest = parseManifest(entry(entries, LAMINA_ORA_MANIFEST, what), what);
  const { document, images } = manifest;
  for (const imageId of documentImageIds(document)) {
    const path = images[imageId];
    if (!path) throw new LaminaError('bad_file', `${what}: ${LAMINA_ORA_MANIFEST} names no entry for image ${quoted(imageId)}`);
    staged.add(await decodeImage(entry(entries, path, what), `${what}: ${path}`), imageId);
  }
  assertImageSizesMatch(document.layers, staged, what);
  return { document, warnings: [] };
}

function parseManifest(bytes: Uint8Array, what: string): z.infer<typeof LaminaOraManifest> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new LaminaError('bad_file', `${what}: ${LAMINA_ORA_MANIFEST} is not valid JSON (${firstLine(err)})`);
  }
  const parsed = LaminaOraManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.');
    if (issue?.code === 'too_big' && (where === 'document.width' || where === 'document.height')) {
      throw new LaminaError('too_large', `${what}: the canvas is past ${MAX_CANVAS_SIDE} px per side`);
    }
    throw new LaminaError('bad_file', `${what}: ${LAMINA_ORA_MANIFEST} is invalid at ${quoted(where)}: ${issue?.message}`);
  }
  return parsed.data;
}

function assertImageSizesMatch(layers: readonly Layer[], staged: StagedImages, what: string): void {
  for (const { layer } of walkLayers(layers)) {
    if (layer.kind !== 'raster') continue;
    const img = staged.get(layer.imageId);
    if (img && (img.width !== layer.width || img.height !== layer.height)) {
      throw new LaminaError('bad_file', `${what}: layer ${quoted(layer.name)} is ${layer.width}x${layer.height} but its image is ${img.width}x${img.height}`);
    }
  }
}

// --- any OpenRaster file ---

interface PlainContext {
  entries: ZipEntries;
  staged: StagedImages;
  warnings: string[];
  what: string;
  nextId: number;
  rasterCount: number;
  /** entry name -> its pixels, decoded once */
  decoded: Map<string, RgbaImage>;
}

async function readPlainOra(entries: ZipEntries, staged: StagedImages, what: string, name: string): Promise<DocumentImport> {
  let image: XmlElement;
  try {
    image = parseXml(new TextDecoder().decode(entry(entries, 'stack.xml', what)));
  } catch (err) {
    if (err instanceof LaminaError) throw err;
    throw new LaminaError('bad_file', `${what}: stack.xml is not valid XML (${firstLine(err)})`);
  }
  if (image.name !== 'image') throw new LaminaError('bad_file', `${what}: stack.xml's root is <${image.name}>, expected <image>`);
  const width = canvasSide(image.attrs.w, 'width', what);
  const height = canvasSide(image.attrs.h, 'height', what);
  const root = image.children.find((c) => c.name === 'stack');
  const ctx: PlainContext = { entries, staged, warnings: [], what, nextId: 0, rasterCount: 0, decoded: new Map() };
  const layers = root ? await readStack(root, 0, 0, ctx) : [];
  const parsed = LaminaDocument.safeParse({ name, width, height, layers });
  if (!parsed.success) throw new LaminaError('bad_file', `${what}: stack.xml does not make a valid document: ${describeZodError(parsed.error)}`);
  const document = parsed.data;
  return { document, warnings: ctx.warnings };
}

function canvasSide(value: string | undefined, label: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new LaminaError('bad_file', `${what}: stack.xml has no valid canvas ${label} (${quoted(value)})`);
  if (n > MAX_CANVAS_SIDE) throw new LaminaError('too_large', `${what}: canvas ${label} ${n} px is past the ${MAX_CANVAS_SIDE} px limit`);
  return n;
}

async function readStack(stack: XmlElement, dx: number, dy: number, ctx: PlainContext): Promise<Layer[]> {
  const layers: Layer[] = [];
  for (const child of stack.children) {
    const layer = await readStackChild(child, dx, dy, ctx);
    if (layer) layers.push(layer);
  }
  return layers;
}

async function readStackChild(el: XmlElement, dx: number, dy: number, ctx: PlainContext): Promise<Layer | null> {
  const id = `ora-${++ctx.nextId}`;
  const name = el.attrs.name ?? `Layer ${ctx.nextId}`;
  const x = dx + intAttr(el.attrs.x);
  const y = dy + intAttr(el.attrs.y);
  const common = {
    id,
    name,
    visible: el.attrs.visibility !== 'hidden',
    opacity: Math.min(1, Math.max(0, Number(el.attrs.opacity ?? 1) || 0)),
    blendMode: blendModeOf(el, name, ctx),
    locked: false,
    provenance: null,
  };
  if (el.name === 'stack') {
    return { ...common, x: 0, y: 0, kind: 'group', expanded: true, children: await readStack(el, x, y, ctx) };
  }
  if (el.name !== 'layer') {
    ctx.warnings.push(`skipped <${el.name}> "${name}": Lamina reads only <layer> and <stack>`);
    return null;
  }
  const src = el.attrs.src ?? '';
  if (!src.toLowerCase().endsWith('.png')) {
    ctx.warnings.push(`skipped layer "${name}": its source "${src}" is not a PNG`);
    return null;
  }
  if (++ctx.rasterCount > MAX_ORA_LAYERS) throw new LaminaError('too_large', `${ctx.what}: stack.xml has more than ${MAX_ORA_LAYERS} layers; refusing it`);
  // each entry is decoded once, however many layers name it: the pixel budget counted it once
  let img = ctx.decoded.get(src);
  if (!img) {
    img = await decodeImage(entry(ctx.entries, src, ctx.what), `${ctx.what}: ${quoted(src)}`);
    ctx.decoded.set(src, img);
  }
  const imageId = ctx.staged.add(img);
  return { ...common, x, y, kind: 'raster', imageId, width: img.width, height: img.height };
}

function intAttr(value: string | undefined): number {
  const n = Math.round(Number(value ?? 0));
  return Number.isFinite(n) ? n : 0;
}

function blendModeOf(el: XmlElement, name: string, ctx: PlainContext) {
  const op = el.attrs['composite-op'];
  const mode = fromOraCompositeOp(op);
  if (mode) return mode;
  ctx.warnings.push(`layer "${name}": composite-op "${op}" is not supported; using normal`);
  return 'normal' as const;
}

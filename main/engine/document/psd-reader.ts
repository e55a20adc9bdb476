// Reads PSD and PSB files (ag-psd) into a Lamina document.
//
// Policy, one line per feature:
// - RGB, grayscale, indexed and bitmap files are converted to RGB; CMYK, Lab, duotone and
//   multichannel files are refused ('unsupported') before any pixel is decoded;
// - 16-bit pixels are scaled to 8 bit, 32-bit (linear) pixels are sRGB-encoded to 8 bit;
// - groups keep their children, visibility, opacity and blend mode ('pass through' and
//   'normal' both become Lamina's normal group, see composite.ts);
// - text layers become text layers (content, font, size, colour) with their pixels as cache;
// - raster layers keep their layer masks and clipping (Lamina layer masks, `clip`); other
//   layers get an enabled mask multiplied into their alpha; smart objects, fill and shape
//   layers come in as their rendered pixels; clipping, layer effects and vector masks are
//   not applied; adjustment layers are dropped. Each of these adds a warning;
// - a PSD that Lamina wrote carries Lamina metadata (psd-lamina-metadata.ts) that restores
//   layer ids, provenance, region layers and text styling.
import { readPsd, type Layer as PsdLayer, type Psd } from 'ag-psd';
import {
  LaminaDocument,
  type BlendMode,
  type Layer,
} from '../../../common/document/document-schema.ts';
import type { TextAlign } from '../../../common/document/document-schema.ts';
import { familyFromPsdFont } from '../../../common/document/text-fonts.ts';
import { describeZodError } from '../../../common/contract/validate.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { firstLine } from '../imaging/first-line.ts';
import { assertImageSize } from '../imaging/image-codec.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import { createRgbaImage, type RgbaImage } from '../imaging/rgba-image.ts';
import { ensureAgPsdCanvas } from './ag-psd-canvas.ts';
import { StagedImages, type DocumentImport } from './document-import.ts';
import { fromPsdBlendMode } from './psd-blend-modes.ts';
import { decodeLaminaXmp, psdLayerName, type LaminaPsdMetadata } from './psd-lamina-metadata.ts';
import { applyLayerMask, toRgba8 } from './psd-pixels.ts';

export interface PsdReadOptions {
  name?: string;
  what?: string;
}

const COLOR_MODES = ['bitmap', 'grayscale', 'indexed', 'RGB', 'CMYK', '5', '6', 'multichannel', 'duotone', 'Lab'];
const READABLE_COLOR_MODES = new Set([0, 1, 2, 3]);
const MEMORY_LIMIT = 1024 ** 3;

export function readPsdDocument(bytes: Uint8Array, store: ImageStore, options: PsdReadOptions = {}): DocumentImport {
  const what = options.what ?? 'PSD file';
  checkHeader(bytes, what);
  const psd = parsePsd(bytes, what);
  const warnings: string[] = [];
  const ctx: ReadContext = {
    staged: new StagedImages(),
    warnings,
    meta: decodeLaminaXmp(psd.imageResources?.xmpMetadata, warnings),
    nextId: 0,
    width: psd.width,
    height: psd.height,
  };
  const psdLayers = (psd.children ?? []).filter((l) => !isPlaceholder(l));
  // A file without layers is its composite; an empty Lamina document stays empty.
  const layers = psdLayers.length ? convertLayers(psdLayers, ctx) : ctx.meta ? [] : flatLayer(psd, ctx);
  const parsed = LaminaDocument.safeParse({ name: ctx.meta?.name ?? options.name ?? 'Untitled', width: psd.width, height: psd.height, layers });
  if (!parsed.success) throw new LaminaError('bad_file', `${what} does not make a valid document: ${describeZodError(parsed.error)}`);
  const document = parsed.data;
  ctx.staged.commit(store);
  return { document, warnings: ctx.warnings };
}

/** ag-psd writes one blank, nameless, id-less layer into a PSD that has none. */
function isPlaceholder(layer: PsdLayer): boolean {
  return layer.id === undefined && !layer.name && !layer.children && !layer.imageData?.width;
}

/** Signature, version, size and colour mode, from the 26-byte header, before ag-psd runs. */
function checkHeader(bytes: Uint8Array, what: string): void {
  if (bytes.length < 26) throw new LaminaError('bad_file', `${what} is too short to be a PSD (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== 0x38425053) throw new LaminaError('bad_file', `${what} is not a PSD (no 8BPS signature)`);
  const version = view.getUint16(4);
  if (version !== 1 && version !== 2) throw new LaminaError('bad_file', `${what} has unknown PSD version ${version}`);
  if (view.getUint32(18) === 0 || view.getUint32(14) === 0) throw new LaminaError('bad_file', `${what} declares a canvas of ${view.getUint32(18)}x${view.getUint32(14)} px; a PSD needs at least 1x1`);
  assertImageSize(view.getUint32(18), view.getUint32(14), what);
  // the composite alone takes width x height x 4 bytes: past the memory limit, it cannot open
  const composite = view.getUint32(18) * view.getUint32(14) * 4;
  if (composite >= MEMORY_LIMIT) throw new LaminaError('too_large', `${what} is ${view.getUint32(18)}x${view.getUint32(14)} px: its composite needs ${(composite / 1024 ** 3).toFixed(1)} GiB, past Lamina's ${MEMORY_LIMIT / 1024 ** 3} GiB for one PSD`);
  const depth = view.getUint16(22);
  if (![1, 8, 16, 32].includes(depth)) throw new LaminaError('bad_file', `${what} has an invalid bit depth (${depth})`);
  const mode = view.getUint16(24);
  if (!READABLE_COLOR_MODES.has(mode)) {
    const label = COLOR_MODES[mode] ?? `#${mode}`;
    throw new LaminaError('unsupported', `${what} uses the ${label} colour mode; Lamina opens RGB, grayscale, indexed and bitmap PSDs (convert it to RGB first)`);
  }
}

/** How far past its end a truncated PSD may be read (as zeros) before it is refused. */
export const MAX_OVERREAD = 32 * 1024 ** 2;

function overreadGuard(this: { offset: number; view: DataView }, message: unknown): void {
  if (message !== 'Reading bytes exceeding buffer length') return;
  const over = this.view.byteOffset + this.offset - this.view.buffer.byteLength;
  if (over > MAX_OVERREAD) throw new Error(`Reading past end of file (its data runs ${over} bytes past the end)`);
}

function parsePsd(bytes: Uint8Array, what: string): Psd {
  ensureAgPsdCanvas();
  try {
    return readPsd(bytes, {
      useImageData: true,
      skipThumbnail: true,
      skipLinkedFilesData: true,
      totalMemoryLimit: MEMORY_LIMIT,
      // ag-psd zero-fills reads past the end of a truncated file (and decodes them); a hostile
      // header made it walk 100 MB of zeros per row for 40 s. Its warnings come here instead
      // of the console, and once it has read MAX_OVERREAD past the end the file is refused.
      debug: true,
      log: overreadGuard,
    } as Parameters<typeof readPsd>[1]);
  } catch (err) {
    const reason = firstLine(err);
    if (/memory limit/i.test(reason)) throw new LaminaError('too_large', `${what} needs more than ${MEMORY_LIMIT / 1024 ** 3} GiB of decoded pixels`);
    throw new LaminaError('bad_file', `${what} could not be read as a PSD: ${reason} (the file may be truncated or damaged)`);
  }
}

interface ReadContext {
  staged: StagedImages;
  warnings: string[];
  meta: LaminaPsdMetadata | null;
  nextId: number;
  /** Canvas size. */
  width: number;
  height: number;
}

/** ag-psd lists layers bottom first; Lamina lists them front first. */
function convertLayers(psdLayers: readonly PsdLayer[], ctx: ReadContext): Layer[] {
  const out: Layer[] = [];
  for (let i = psdLayers.length - 1; i >= 0; i--) {
    const layer = convertLayer(psdLayers[i], ctx);
    if (layer) out.push(layer);
  }
  return out;
}

function flatLayer(psd: Psd, ctx: ReadContext): Layer[] {
  return psd.imageData ? [plainRaster(ctx, 'Background', toRgba8(psd.imageData), 0, 0)] : [];
}

/** A raster layer with default properties and a fresh id. */
function plainRaster(ctx: ReadContext, name: string, image: RgbaImage, x: number, y: number): Layer {
  const imageId = ctx.staged.add(image);
  return {
    id: `psd-${++ctx.nextId}`, name, visible: true, opacity: 1, blendMode: 'normal', x, y, locked: false, provenance: null,
    kind: 'raster', imageId, width: image.width, height: image.height,
  };
}

function convertLayer(src: PsdLayer, ctx: ReadContext): Layer | null {
  const name = src.name ?? '';
  if (src.adjustment) {
    ctx.warnings.push(`dropped adjustment layer "${name}" (${src.adjustment.type}): Lamina has no adjustment layers`);
    return null;
  }
  const saved = src.id !== undefined ? ctx.meta?.layers[String(src.id)] : undefined;
  const common = {
    id: saved?.id ?? `psd-${++ctx.nextId}`,
    name: saved && psdLayerName(saved) === name ? saved.name : name,
    visible: !src.hidden,
    opacity: exactOpacity(effectiveOpacity(src), saved),
    blendMode: blendModeOf(src, ctx),
    x: src.left ?? 0,
    y: src.top ?? 0,
    locked: saved?.locked ?? false,
    provenance: saved?.provenance ?? null,
  };
  if (src.children) {
    const expanded = src.opened ?? true;
    const children = [...groupOwnPixels(src, ctx), ...convertLayers(src.children, ctx)];
    return { ...common, x: 0, y: 0, kind: 'group', expanded, children };
  }
  return convertLeaf(src, common, saved, ctx);
}

type CommonFields = Pick<Layer, 'id' | 'name' | 'visible' | 'opacity' | 'blendMode' | 'x' | 'y' | 'locked' | 'provenance'>;

function convertLeaf(src: PsdLayer, common: CommonFields, saved: Layer | undefined, ctx: ReadContext): Layer {
  noteUnappliedFeatures(src, ctx);
  // a raster layer keeps its layer mask as a Lamina layer mask (and its clipping); others get it applied
  const keepMask = !src.text && saved?.kind !== 'region' && !!src.mask?.imageData && !!storedPixels(src);
  const { image, x, y } = keepMask ? { image: storedPixels(src), x: src.left ?? 0, y: src.top ?? 0 } : layerPixels(src, ctx);
  // Layers without pixels still exist in Photoshop's panel: they come in as 1x1 transparent.
  const pixels = () => ctx.staged.add(image ?? createRgbaImage(1, 1));
  if (saved?.kind === 'region') {
    const shape = saved.shape.type === 'mask' ? { ...saved.shape, maskImageId: pixels() } : saved.shape;
    return { ...saved, x, y, shape };
  }
  if (!src.text) {
    const mask = keepMask ? layerMaskOf(src.mask!, ctx) : undefined;
    return { ...common, x, y, kind: 'raster', imageId: pixels(), width: image?.width ?? 1, height: image?.height ?? 1, ...(mask ? { mask } : {}), ...(src.clipping ? { clip: true } : {}) };
  }
  const cache = image ? { imageId: pixels(), width: image.width, height: image.height } : {};
  return { ...common, x, y, kind: 'text', ...textFields(src.text, saved), ...cache };
}

/** A PSD user mask as a Lamina layer mask: grey RGBA from its one channel. */
function layerMaskOf(m: NonNullable<PsdLayer['mask']>, ctx: ReadContext) {
  const src = toRgba8(m.imageData!);
  const data = new Uint8Array(src.width * src.height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = data[i + 1] = data[i + 2] = src.data[i];
    data[i + 3] = 255;
  }
  const imageId = ctx.staged.add({ width: src.width, height: src.height, data });
  return { imageId, x: m.left ?? 0, y: m.top ?? 0, width: src.width, height: src.height, enabled: !m.disabled, defaultColor: (m.defaultColor ?? 255) >= 128 ? 255 as const : 0 as const };
}

/** Content from the PSD; font, size and colour from Lamina's metadata when it has them. */
function textFields(text: NonNullable<PsdLayer['text']>, saved: Layer | undefined) {
  const style = text.style;
  const fill = style?.fillColor;
  const fromPsd = {
    text: text.text,
    fontFamily: style?.font?.name ? familyFromPsdFont(style.font.name) : 'DejaVu Sans',
    fontSize: style?.fontSize ?? 32,
    color: (fill && 'r' in fill ? [Math.round(fill.r), Math.round(fill.g), Math.round(fill.b), 255] : [0, 0, 0, 255]) as [number, number, number, number],
    align: psdAlign(text.paragraphStyle?.justification),
  };
  return saved?.kind === 'text' ? { ...fromPsd, fontFamily: saved.fontFamily, fontSize: saved.fontSize, color: saved.color, align: saved.align ?? fromPsd.align } : fromPsd;
}

function psdAlign(j: string | undefined): TextAlign {
  return j === 'center' || j === 'right' ? j : 'left';
}

/**
 * Some writers leave pixels on a group's own record ("broken groups"); Photoshop ignores
 * them, other readers show them as a layer at the top of the group. Keep them, as a layer.
 */
function groupOwnPixels(src: PsdLayer, ctx: ReadContext): Layer[] {
  if (!src.imageData || src.imageData.width <= 0 || src.imageData.height <= 0) return [];
  ctx.warnings.push(`group "${src.name ?? ''}" carries its own pixels; imported as a layer inside it`);
  return [plainRaster(ctx, src.name ?? '', toRgba8(src.imageData), src.left ?? 0, src.top ?? 0)];
}

/** Without layer effects, Photoshop's fill opacity simply multiplies the layer's opacity. */
function effectiveOpacity(src: PsdLayer): number {
  return (src.opacity ?? 1) * (src.children ? 1 : src.fillOpacity ?? 1);
}

/** PSD stores opacity as a byte; keep Lamina's exact value when it rounds to that byte. */
function exactOpacity(psdOpacity: number, saved: Layer | undefined): number {
  if (saved && Math.round(saved.opacity * 255) === Math.round(psdOpacity * 255)) return saved.opacity;
  return psdOpacity;
}

function blendModeOf(src: PsdLayer, ctx: ReadContext): BlendMode {
  const mode = fromPsdBlendMode(src.blendMode);
  if (mode) return mode;
  ctx.warnings.push(`layer "${src.name ?? ''}": blend mode "${src.blendMode}" is not supported; using normal`);
  return 'normal';
}

/** The layer's pixels (null when it has none) and where they sit; enabled masks applied. */
function layerPixels(src: PsdLayer, ctx: ReadContext): { image: RgbaImage | null; x: number; y: number } {
  const stored = storedPixels(src);
  const fill = stored ? null : solidFillPixels(src, ctx);
  const image = stored ?? fill;
  const x = fill ? 0 : src.left ?? 0;
  const y = fill ? 0 : src.top ?? 0;
  const mask = src.mask;
  if (!image || !mask?.imageData || mask.disabled) return { image, x, y };
  ctx.warnings.push(`layer "${src.name ?? ''}": its layer mask was applied to the pixels`);
  return { image: applyLayerMask(image, x, y, mask), x, y };
}

function storedPixels(src: PsdLayer): RgbaImage | null {
  const data = src.imageData;
  return data && data.width > 0 && data.height > 0 ? toRgba8(data) : null;
}

/**
 * A solid-colour fill layer saved without pixels covers the whole canvas with its colour.
 * A shape layer (vector mask) is drawn only when the file also carries its rasterized mask.
 */
function solidFillPixels(src: PsdLayer, ctx: ReadContext): RgbaImage | null {
  const fill = src.vectorFill;
  if (fill?.type !== 'color' || !('r' in fill.color) || (src.vectorMask && !src.mask?.imageData)) return null;
  const { r, g, b } = fill.color;
  return createRgbaImage(ctx.width, ctx.height, [Math.round(r), Math.round(g), Math.round(b), 255]);
}

function noteUnappliedFeatures(src: PsdLayer, ctx: ReadContext): void {
  const name = src.name ?? '';
  const notes: string[] = [];
  if (src.placedLayer) notes.push('smart object imported as its rendered pixels');
  if (src.vectorFill && !src.text) notes.push('fill or shape layer imported as its rendered pixels');
  if (src.clipping && src.text) notes.push('clipping mask not applied');
  if (src.effects && Object.keys(src.effects).length > 0) notes.push('layer effects not applied');
  if (src.vectorMask && !src.vectorFill) notes.push('vector mask not applied');
  for (const note of notes) ctx.warnings.push(`layer "${name}": ${note}`);
}

// Writes a layered PSD (ag-psd): names, order, visibility, opacity, offsets, blend modes,
// open groups ('pass through' for Lamina's normal groups), text layers as editable Photoshop
// text plus their rendered pixels, the composite, and Lamina's metadata in the XMP packet
// (psd-lamina-metadata.ts). Region layers become HIDDEN pixel layers named
// `Region "<name>": <prompt>` (a box in the region's colour, or the mask image), so other
// programs show the prompt and Lamina restores the region exactly. Raster layer masks are
// real PSD user masks (disabled ones stay disabled); clipping layers are PSD clipping masks.
import { writePsdUint8Array, type Layer as PsdLayer, type Psd } from 'ag-psd';
import type { Layer, LaminaDocument, RegionLayer, TextLayer } from '../../../common/document/document-schema.ts';
import { psdFontName } from '../../../common/document/text-fonts.ts';
import { compositeDocument } from '../imaging/composite.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import { createRgbaImage, type RgbaImage } from '../imaging/rgba-image.ts';
import { ensureAgPsdCanvas } from './ag-psd-canvas.ts';
import { toPsdBlendMode } from './psd-blend-modes.ts';
import { encodeLaminaXmp, psdLayerName } from './psd-lamina-metadata.ts';

export function writePsdDocument(doc: LaminaDocument, store: ImageStore): Uint8Array {
  ensureAgPsdCanvas();
  const saved = new Map<number, Layer>();
  const ctx = { store, saved };
  const psd: Psd = {
    width: doc.width,
    height: doc.height,
    children: toPsdLayers(doc.layers, ctx),
    imageData: compositeDocument(doc, store),
    imageResources: { xmpMetadata: encodeLaminaXmp(doc.name, saved) },
  };
  return writePsdUint8Array(psd, { noBackground: true });
}

interface WriteContext {
  store: ImageStore;
  /** PSD layer id -> Lamina layer, filled in as layers are numbered. */
  saved: Map<number, Layer>;
}

/** Lamina lists layers front first; PSD wants them bottom first. */
function toPsdLayers(layers: readonly Layer[], ctx: WriteContext): PsdLayer[] {
  return [...layers].reverse().map((layer) => toPsdLayer(layer, ctx));
}

function toPsdLayer(layer: Layer, ctx: WriteContext): PsdLayer {
  const id = ctx.saved.size + 1;
  ctx.saved.set(id, layer);
  const common: PsdLayer = {
    id,
    name: psdLayerName(layer),
    hidden: !layer.visible,
    opacity: layer.opacity,
    blendMode: toPsdBlendMode(layer.blendMode, layer.kind === 'group'),
    left: layer.x,
    top: layer.y,
  };
  switch (layer.kind) {
    case 'group':
      return { ...common, left: 0, top: 0, opened: layer.expanded, children: toPsdLayers(layer.children, ctx) };
    case 'raster': {
      const m = layer.mask;
      const mask = m ? { top: m.y, left: m.x, bottom: m.y + m.height, right: m.x + m.width, defaultColor: m.defaultColor, disabled: !m.enabled, imageData: ctx.store.get(m.imageId) } : undefined;
      return { ...common, imageData: ctx.store.get(layer.imageId), ...(mask ? { mask } : {}), ...(layer.clip ? { clipping: true } : {}) };
    }
    case 'text':
      return { ...common, text: psdText(layer), imageData: layer.imageId ? ctx.store.get(layer.imageId) : undefined };
    case 'region':
      return { ...common, hidden: true, imageData: regionPixels(layer, ctx.store) };
  }
}

function psdText(layer: TextLayer): PsdLayer['text'] {
  const [r, g, b] = layer.color;
  return {
    text: layer.text,
    transform: [1, 0, 0, 1, layer.x, layer.y + layer.fontSize],
    style: { font: { name: psdFontName(layer.fontFamily) }, fontSize: layer.fontSize, fillColor: { r, g, b } },
    paragraphStyle: { justification: layer.align ?? 'left' },
  };
}

function regionPixels(layer: RegionLayer, store: ImageStore): RgbaImage {
  if (layer.shape.type === 'mask') return store.get(layer.shape.maskImageId);
  const rgb = [1, 3, 5].map((i) => parseInt(layer.color.slice(i, i + 2), 16));
  return createRgbaImage(Math.ceil(layer.shape.width), Math.ceil(layer.shape.height), [rgb[0], rgb[1], rgb[2], 255]);
}

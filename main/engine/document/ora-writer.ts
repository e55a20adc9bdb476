// Writes Lamina's native project file: an OpenRaster 0.0.3 zip that Krita and MyPaint open
// as plain layers, plus Lamina's own data inside the same zip:
//
//   mimetype                    "image/openraster", FIRST and STORED (ORA spec)
//   stack.xml                   the visible structure: <stack> per group, <layer> per raster
//                               layer and per text layer that has a rendered cache
//   data/<id>.png               pixels of raster layers and text caches
//   mergedimage.png             the composite (compositeDocument)
//   Thumbnails/thumbnail.png    the composite scaled to at most 256 px
//   lamina/document.json        { format, version, document, images: { imageId: entry } }:
//                               the whole LaminaDocument (region layers, provenance, text
//                               content, layer ids) and where each of its images lives
//   lamina/masks/<id>.png       region masks and raster layers' layer masks (not in stack.xml:
//                               other programs see the unmasked pixels)
//   lamina/history/<id>.png     thumbnails of the document's generation history
import { zipSync, type Zippable } from 'fflate';
import type { Layer, LaminaDocument } from '../../../common/document/document-schema.ts';
import { referencedImageIds, walkLayers } from '../../../common/document/layer-tree.ts';
import { generationImageIds } from '../../../common/document/generation-history.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { encodePngs, resizeToFit } from '../imaging/image-codec.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { toOraCompositeOp } from './ora-blend-modes.ts';
import { serializeXml, type XmlElement } from './xml-lite.ts';

export const ORA_MIMETYPE = 'image/openraster';
export const LAMINA_ORA_MANIFEST = 'lamina/document.json';
export const LAMINA_ORA_FORMAT = 'lamina-ora';
export const THUMBNAIL_MAX_SIDE = 256;

export async function writeOra(doc: LaminaDocument, store: ImageStore): Promise<Uint8Array> {
  const imagePaths = assignImagePaths(doc);
  const files: Zippable = { mimetype: [new TextEncoder().encode(ORA_MIMETYPE), { level: 0 }] };
  files['stack.xml'] = text(buildStackXml(doc, imagePaths));
  const composite = compositeDocument(doc, store);
  const images = new Map<string, RgbaImage>([...imagePaths].map(([imageId, path]) => [path, store.get(imageId)]));
  images.set('mergedimage.png', composite);
  images.set('Thumbnails/thumbnail.png', await resizeToFit(composite, THUMBNAIL_MAX_SIDE));
  // PNGs are already compressed, so they are stored.
  for (const [path, png] of await encodePngs(images)) files[path] = [png, { level: 0 }];
  const manifest = { format: LAMINA_ORA_FORMAT, version: 1, document: doc, images: Object.fromEntries(imagePaths) };
  files[LAMINA_ORA_MANIFEST] = text(JSON.stringify(manifest, null, 1));
  return zipSync(files, { level: 6 });
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** imageId -> zip entry: pixels and text caches under data/, region masks under
 * lamina/masks/, generation thumbnails under lamina/history/. */
function assignImagePaths({ layers, generations }: LaminaDocument): Map<string, string> {
  const paths = new Map<string, string>();
  const used = new Set<string>();
  const masks = new Set<string>();
  for (const { layer } of walkLayers(layers)) {
    if (layer.kind === 'region' && layer.shape.type === 'mask') masks.add(layer.shape.maskImageId);
    if (layer.kind === 'raster' && layer.mask) masks.add(layer.mask.imageId);
  }
  const thumbnails = new Set(generationImageIds(generations));
  for (const id of new Set([...referencedImageIds(layers), ...thumbnails])) {
    const folder = masks.has(id) ? 'lamina/masks' : thumbnails.has(id) ? 'lamina/history' : 'data';
    const base = id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80) || 'image';
    let path = `${folder}/${base}.png`;
    for (let n = 2; used.has(path); n++) path = `${folder}/${base}-${n}.png`;
    used.add(path);
    paths.set(id, path);
  }
  return paths;
}

function buildStackXml(doc: LaminaDocument, imagePaths: ReadonlyMap<string, string>): string {
  const image: XmlElement = {
    name: 'image',
    attrs: { version: '0.0.3', w: String(doc.width), h: String(doc.height) },
    children: [{ name: 'stack', attrs: {}, children: stackChildren(doc.layers, imagePaths) }],
  };
  return `<?xml version='1.0' encoding='UTF-8'?>\n${serializeXml(image)}`;
}

function stackChildren(layers: readonly Layer[], imagePaths: ReadonlyMap<string, string>): XmlElement[] {
  const out: XmlElement[] = [];
  for (const layer of layers) {
    const common = {
      name: layer.name,
      x: String(layer.x),
      y: String(layer.y),
      opacity: String(layer.opacity),
      visibility: layer.visible ? 'visible' : 'hidden',
      'composite-op': toOraCompositeOp(layer.blendMode),
    };
    if (layer.kind === 'group') {
      // Lamina's rule (composite.ts): a normal group passes through, any other is isolated.
      // Group offsets are not painted by Lamina, so the stack carries none.
      const { x: _x, y: _y, ...groupAttrs } = common;
      const attrs = { ...groupAttrs, isolation: layer.blendMode === 'normal' ? 'auto' : 'isolate' };
      out.push({ name: 'stack', attrs, children: stackChildren(layer.children, imagePaths) });
    } else if (layer.kind === 'raster' || (layer.kind === 'text' && layer.imageId)) {
      out.push({ name: 'layer', attrs: { ...common, src: imagePaths.get(layer.imageId!)! }, children: [] });
    }
  }
  return out;
}

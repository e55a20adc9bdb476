// PNG stack export: one PNG per painted LEAF layer (raster layers and text layers that have
// a rendered cache; groups are not flattened, they are described in the manifest), at the
// layer's own size, plus composite.png and manifest.json. Files are numbered back to front
// (001 is the bottom layer), so sorting by name gives the painting order. Region layers have
// no pixels to export and are listed under `skipped`.
import type { BlendMode, Layer, LaminaDocument } from '../../../common/document/document-schema.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { encodePngs } from '../imaging/image-codec.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';

export const PNG_STACK_MANIFEST = 'manifest.json';
export const PNG_STACK_COMPOSITE = 'composite.png';

export interface PngStackLayerEntry {
  file: string;
  id: string;
  name: string;
  kind: 'raster' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  opacity: number;
  blendMode: BlendMode;
  visible: boolean;
  /** Ids of the enclosing groups, outermost first. */
  groupIds: string[];
}

export interface PngStackGroupEntry {
  id: string;
  name: string;
  opacity: number;
  blendMode: BlendMode;
  visible: boolean;
  parentId: string | null;
}

export interface PngStackManifest {
  format: 'lamina-png-stack';
  version: 1;
  name: string;
  width: number;
  height: number;
  composite: string;
  /** Back to front: painting order. */
  layers: PngStackLayerEntry[];
  groups: PngStackGroupEntry[];
  skipped: { id: string; name: string; reason: string }[];
}

/** File name (relative to the stack folder) -> bytes. */
export async function writePngStack(doc: LaminaDocument, store: ImageStore): Promise<Map<string, Uint8Array>> {
  const manifest: PngStackManifest = {
    format: 'lamina-png-stack',
    version: 1,
    name: doc.name,
    width: doc.width,
    height: doc.height,
    composite: PNG_STACK_COMPOSITE,
    layers: [],
    groups: [],
    skipped: [],
  };
  const images = new Map<string, RgbaImage>();
  const visit = (layers: readonly Layer[], groupIds: string[]): void => {
    for (const layer of [...layers].reverse()) {
      if (layer.kind === 'group') {
        manifest.groups.push({ ...pick(layer), parentId: groupIds.at(-1) ?? null });
        visit(layer.children, [...groupIds, layer.id]);
      } else if (layer.kind === 'region' || !layer.imageId) {
        const reason = layer.kind === 'region' ? 'region layer (no pixels)' : 'text layer without a rendered image';
        manifest.skipped.push({ id: layer.id, name: layer.name, reason });
      } else {
        const image = store.get(layer.imageId);
        const file = `${String(manifest.layers.length + 1).padStart(3, '0')}-${safeFileName(layer.name)}.png`;
        images.set(file, image);
        const { x, y } = layer;
        manifest.layers.push({ file, ...pick(layer), kind: layer.kind, x, y, width: image.width, height: image.height, groupIds });
      }
    }
  };
  visit(doc.layers, []);
  images.set(PNG_STACK_COMPOSITE, compositeDocument(doc, store));
  const files = await encodePngs(images);
  files.set(PNG_STACK_MANIFEST, new TextEncoder().encode(JSON.stringify(manifest, null, 2)));
  return files;
}

function pick(layer: Layer) {
  return { id: layer.id, name: layer.name, opacity: layer.opacity, blendMode: layer.blendMode, visible: layer.visible };
}

function safeFileName(name: string): string {
  return name.replace(/[^\p{L}\p{N}_-]+/gu, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'layer';
}

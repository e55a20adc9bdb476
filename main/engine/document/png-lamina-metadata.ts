// Lamina metadata in a flattened PNG: when the picture is exactly one generated layer (a
// `lamina generate --out x.png`, one variation, an export of a one-layer document), the
// PNG carries that layer's name and provenance in an iTXt chunk (keyword "lamina"), so
// opening the PNG again gives back a layer that knows how it was made (Edit Text, `lamina
// text-edit --in x.png`, re-generate). Other programs ignore the chunk; a PNG without it,
// or with one that does not parse, opens as a plain picture.
import type { LaminaDocument, Layer, RasterLayer } from '../../../common/document/document-schema.ts';
import { Provenance } from '../../../common/document/provenance.ts';
import { crc32 } from './crc32.ts';

export const PNG_METADATA_KEYWORD = 'lamina';
const FORMAT = 'lamina-png-layer';

export interface PngLayerMetadata {
  name: string;
  provenance: Provenance;
}

const SIGNATURE = 8;
const u32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** The one layer a flattened PNG of `doc` shows exactly: a single visible painted layer,
 * raster, generated, covering the canvas at full opacity with no mask; null otherwise. */
export function soleGeneratedLayer(doc: LaminaDocument): RasterLayer | null {
  const painted = (ls: readonly Layer[]): Layer[] => ls.filter((l) => l.visible && l.kind !== 'region').flatMap((l) => (l.kind === 'group' ? painted(l.children) : [l]));
  const shown = painted(doc.layers);
  if (shown.length !== 1 || doc.layers.some((l) => l.kind === 'group' && l.visible)) return null;
  const l = shown[0];
  if (l.kind !== 'raster' || !l.provenance || l.opacity !== 1 || l.blendMode !== 'normal' || (l.mask && l.mask.enabled)) return null;
  if (l.x !== 0 || l.y !== 0 || l.width !== doc.width || l.height !== doc.height) return null;
  return l;
}

/** `png` with an iTXt "lamina" chunk holding `meta` (JSON, UTF-8) right after IHDR. */
export function withPngMetadata(png: Uint8Array, meta: PngLayerMetadata): Uint8Array {
  const enc = new TextEncoder();
  const text = enc.encode(JSON.stringify({ format: FORMAT, version: 1, ...meta }));
  // iTXt: keyword, NUL, compression flag 0, method 0, language tag "" NUL, translated keyword "" NUL, text
  const data = new Uint8Array([...enc.encode(PNG_METADATA_KEYWORD), 0, 0, 0, 0, 0, ...text]);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(enc.encode('iTXt'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  const ihdrEnd = SIGNATURE + 12 + u32(png, SIGNATURE);
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, ihdrEnd));
  out.set(chunk, ihdrEnd);
  out.set(png.subarray(ihdrEnd), ihdrEnd + chunk.length);
  return out;
}

/** The Lamina layer metadata of a PNG: the layer, null when there is none, or a warning when
 * the chunk is there but does not read (the picture still opens). */
export function readPngMetadata(png: Uint8Array): { layer: PngLayerMetadata | null; warning?: string } {
  const dec = new TextDecoder();
  for (let at = SIGNATURE; at + 12 <= png.length;) {
    const len = u32(png, at);
    const type = dec.decode(png.subarray(at + 4, at + 8));
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'iTXt' && at + 12 + len <= png.length) {
      const data = png.subarray(at + 8, at + 8 + len);
      const nul = data.indexOf(0);
      if (nul > 0 && dec.decode(data.subarray(0, nul)) === PNG_METADATA_KEYWORD) {
        // compression flag must be 0 (we never compress); then language tag and translated keyword, each NUL-ended
        if (data[nul + 1] !== 0) return { layer: null, warning: 'its Lamina metadata is compressed, which Lamina does not write: opened as a plain picture' };
        let p = nul + 3;
        for (let k = 0; k < 2; k++) p = data.indexOf(0, p) + 1;
        try {
          const j = JSON.parse(dec.decode(data.subarray(p))) as { format?: unknown; name?: unknown; provenance?: unknown };
          const prov = Provenance.safeParse(j.provenance);
          if (j.format !== FORMAT || typeof j.name !== 'string' || !prov.success) throw new Error('not a Lamina layer record');
          return { layer: { name: j.name, provenance: prov.data } };
        } catch (err) {
          return { layer: null, warning: `its Lamina metadata does not read (${(err as Error).message}): opened as a plain picture without provenance` };
        }
      }
    }
    at += 12 + len;
  }
  return { layer: null };
}

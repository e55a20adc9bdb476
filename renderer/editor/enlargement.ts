// "generated at 128 x 128, enlarged 8x": how much a generated raster layer was enlarged from
// the pack's native size, read from its provenance. Pure; the properties panel and the
// layers panel say it.
import type { Layer } from '../../common/document/document-schema.ts';

export interface Enlargement {
  native: { width: number; height: number };
  factor: number;
  upscale: 'lanczos' | 'nearest';
  text: string;
}

export function enlargement(layer: Layer): Enlargement | null {
  if (layer.kind !== 'raster' || !layer.provenance?.native) return null;
  const native = layer.provenance.native;
  const factor = Math.max(layer.width / native.width, layer.height / native.height);
  if (!(factor > 1.001)) return null;
  const upscale = layer.provenance.upscale ?? 'lanczos';
  const f = Number(factor.toFixed(2));
  return { native, factor, upscale, text: `generated at ${native.width} × ${native.height}, enlarged ${f}× (${upscale})` };
}

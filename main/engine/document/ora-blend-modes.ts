// Lamina blend modes <-> OpenRaster `composite-op` values (ORA 0.0.3 uses the svg: names of
// the W3C compositing spec; Krita writes `svg:plus` for Add).
import type { BlendMode } from '../../../common/document/document-schema.ts';

const TO_ORA: Record<BlendMode, string> = {
  normal: 'svg:src-over',
  multiply: 'svg:multiply',
  screen: 'svg:screen',
  overlay: 'svg:overlay',
  darken: 'svg:darken',
  lighten: 'svg:lighten',
  'color-dodge': 'svg:color-dodge',
  'color-burn': 'svg:color-burn',
  'hard-light': 'svg:hard-light',
  'soft-light': 'svg:soft-light',
  difference: 'svg:difference',
  exclusion: 'svg:exclusion',
  hue: 'svg:hue',
  saturation: 'svg:saturation',
  color: 'svg:color',
  luminosity: 'svg:luminosity',
  'linear-dodge': 'svg:plus',
};

const FROM_ORA = new Map<string, BlendMode>(
  (Object.entries(TO_ORA) as [BlendMode, string][]).map(([mode, op]) => [op, mode]),
);

export function toOraCompositeOp(mode: BlendMode): string {
  return TO_ORA[mode];
}

/** null when the file uses an op Lamina does not have (the caller warns and uses normal). */
export function fromOraCompositeOp(op: string | undefined): BlendMode | null {
  if (op === undefined || op === '') return 'normal';
  return FROM_ORA.get(op) ?? null;
}

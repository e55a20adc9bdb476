// Lamina blend modes <-> ag-psd's Photoshop blend-mode names.
import type { BlendMode as PsdBlendMode } from 'ag-psd';
import type { BlendMode } from '../../../common/document/document-schema.ts';

const TO_PSD: Record<BlendMode, PsdBlendMode> = {
  normal: 'normal',
  multiply: 'multiply',
  screen: 'screen',
  overlay: 'overlay',
  darken: 'darken',
  lighten: 'lighten',
  'color-dodge': 'color dodge',
  'color-burn': 'color burn',
  'hard-light': 'hard light',
  'soft-light': 'soft light',
  difference: 'difference',
  exclusion: 'exclusion',
  hue: 'hue',
  saturation: 'saturation',
  color: 'color',
  luminosity: 'luminosity',
  'linear-dodge': 'linear dodge',
};

const FROM_PSD = new Map<string, BlendMode>(
  (Object.entries(TO_PSD) as [BlendMode, PsdBlendMode][]).map(([mode, psd]) => [psd, mode]),
);

/** Groups: Lamina's normal group passes through (see composite.ts). */
export function toPsdBlendMode(mode: BlendMode, isGroup: boolean): PsdBlendMode {
  return isGroup && mode === 'normal' ? 'pass through' : TO_PSD[mode];
}

/** null when Photoshop's mode has no Lamina equivalent (the caller warns and uses normal). */
export function fromPsdBlendMode(mode: PsdBlendMode | undefined): BlendMode | null {
  if (mode === undefined || mode === 'pass through') return 'normal';
  return FROM_PSD.get(mode) ?? null;
}

// The fonts a text layer can use: the ones Lamina ships under assets/fonts/, so the
// canvas, the saved pixels and the PSD's text engine data all name the same face.
export interface BundledFont {
  /** the family a text layer stores (TextLayer.fontFamily) */
  family: string;
  /** file under assets/fonts/ (copied next to the renderer bundle) */
  file: string;
  /** CSS weight the face is registered with */
  weight: 'normal' | 'bold';
  /** the PostScript name Photoshop looks the face up by */
  postScriptName: string;
}

export const BUNDLED_FONTS: readonly BundledFont[] = [
  { family: 'DejaVu Sans', file: 'DejaVuSans-Bold.ttf', weight: 'bold', postScriptName: 'DejaVuSans-Bold' },
];

export const DEFAULT_TEXT_FONT = BUNDLED_FONTS[0].family;

export function bundledFont(family: string): BundledFont {
  return BUNDLED_FONTS.find((f) => f.family === family) ?? BUNDLED_FONTS[0];
}

/** Photoshop's font name for a family: a bundled face's PostScript name, else the family. */
export function psdFontName(family: string): string {
  return BUNDLED_FONTS.find((f) => f.family === family)?.postScriptName ?? family;
}

/** The family a PSD's font name stands for (a bundled face by its PostScript name). */
export function familyFromPsdFont(name: string): string {
  return BUNDLED_FONTS.find((f) => f.postScriptName === name)?.family ?? name;
}

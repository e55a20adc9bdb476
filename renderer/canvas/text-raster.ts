// Text layers' pixels, drawn with a 2D canvas in the bundled font (assets/fonts/): the
// one place text becomes pixels, so the canvas, ORA and PSD show the same picture.
import dejaVuSansBold from '../../assets/fonts/DejaVuSans-Bold.ttf';
import type { RawImage } from '../../common/contract/raw-image.ts';
import { BUNDLED_FONTS, bundledFont } from '../../common/document/text-fonts.ts';
import type { TextRenderRequest } from '../editor/pixel-services.ts';

const FONT_URLS: Record<string, string> = { 'DejaVuSans-Bold.ttf': dejaVuSansBold };
let loaded: Promise<void> | null = null;

/** Registers the bundled faces with the page (once); the in-place text editor uses them too. */
export function loadBundledFonts(): Promise<void> {
  loaded ??= Promise.all(
    BUNDLED_FONTS.map(async (f) => {
      const face = new FontFace(f.family, `url(${FONT_URLS[f.file]})`, { weight: f.weight });
      document.fonts.add(await face.load());
    }),
  ).then(() => undefined);
  return loaded;
}

export const TEXT_LINE_HEIGHT = 1.2;

/** The CSS font string a text layer is drawn with. */
export function cssFont(fontFamily: string, fontSize: number): string {
  const f = bundledFont(fontFamily);
  return `${f.weight} ${fontSize}px "${f.family}"`;
}

/** Padding around the lines, so antialiased edges and overhangs are not cut. */
export function textPadding(fontSize: number): number {
  return Math.ceil(fontSize * 0.1) + 1;
}

export async function rasterizeText(req: TextRenderRequest): Promise<RawImage> {
  await loadBundledFonts();
  const font = cssFont(req.fontFamily, req.fontSize);
  const lines = req.text.split('\n');
  const probe = document.createElement('canvas').getContext('2d')!;
  probe.font = font;
  const widths = lines.map((l) => probe.measureText(l).width);
  const metrics = probe.measureText('Hg');
  const ascent = metrics.fontBoundingBoxAscent || req.fontSize * 0.93;
  const descent = metrics.fontBoundingBoxDescent || req.fontSize * 0.24;
  const lineHeight = Math.round(req.fontSize * TEXT_LINE_HEIGHT);
  const pad = textPadding(req.fontSize);
  const width = Math.max(1, Math.ceil(Math.max(0, ...widths)) + 2 * pad);
  const height = Math.max(1, lineHeight * lines.length + 2 * pad);
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.font = font;
  const [r, g, b, a] = req.color;
  ctx.fillStyle = `rgba(${r}, ${g}, ${b}, ${a / 255})`;
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = req.align;
  const x = req.align === 'left' ? pad : req.align === 'center' ? width / 2 : width - pad;
  // each line's font box centred in its line height
  const baseline = (lineHeight - (ascent + descent)) / 2 + ascent;
  lines.forEach((line, i) => ctx.fillText(line, x, pad + i * lineHeight + baseline));
  const data = ctx.getImageData(0, 0, width, height).data;
  return { width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

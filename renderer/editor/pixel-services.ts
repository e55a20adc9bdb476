// Pixel work the editor needs but cannot do without a DOM; the canvas layer provides it
// (renderer/canvas/pixel-services.ts).
import type { RawImage } from '../../common/contract/raw-image.ts';
import type { BlendMode } from '../../common/document/document-schema.ts';
import type { Rect } from './geometry.ts';
import type { AlphaSampler } from './hit-test.ts';
import type { MaskStroke } from './editor-state.ts';

export interface PixelServices {
  /** New mask pixels (alpha = inside) covering `bounds`, from the old mask plus one stroke; null if empty. */
  rasterizeMask(req: { bounds: Rect; base: { imageId: string; rect: Rect } | null; stroke: MaskStroke }): Promise<RawImage | null>;
  /** The image resampled to width x height. */
  resample(imageId: string, width: number, height: number): Promise<RawImage>;
  /** `upper` composited onto `lower` (lower at full opacity, normal) over the union box. */
  mergeDown(upper: PlacedImage, lower: PlacedImage): Promise<{ image: RawImage; rect: Rect }>;
  alphaAt?: AlphaSampler;
  /** A text layer's pixels: its lines in its bundled font, size, colour and alignment (box = the text's extent). */
  rasterizeText?(req: TextRenderRequest): Promise<RawImage>;
}

export interface TextRenderRequest {
  text: string;
  fontFamily: string;
  fontSize: number;
  color: readonly [number, number, number, number];
  align: 'left' | 'center' | 'right';
}

export interface PlacedImage {
  imageId: string;
  rect: Rect;
  opacity: number;
  blendMode: BlendMode;
}

// The layered document: the one shape every part of Lamina agrees on.
// Order convention: `layers[0]` is the FRONT (top row of the layers panel, first
// entry of ORA's stack.xml). Painting goes back to front, i.e. from the end.
import { z } from 'zod';
import { LIMITS } from '../contract/limits.ts';

export const BLEND_MODES = [
  'normal', 'multiply', 'screen', 'overlay', 'darken', 'lighten', 'color-dodge',
  'color-burn', 'hard-light', 'soft-light', 'difference', 'exclusion', 'hue',
  'saturation', 'color', 'luminosity', 'linear-dodge',
] as const;
export const BlendMode = z.enum(BLEND_MODES);
export type BlendMode = z.infer<typeof BlendMode>;

import { Provenance } from './provenance.ts';
import { GenerationEntry } from './generation-history.ts';
export { Box, Provenance, RegionProvenance } from './provenance.ts';

const layerCommon = {
  id: z.string().min(1),
  name: z.string(),
  visible: z.boolean().default(true),
  opacity: z.number().min(0).max(1).default(1),
  blendMode: BlendMode.default('normal'),
  /** Offset of the layer's top-left corner on the canvas, in pixels. */
  x: z.number().int().default(0),
  y: z.number().int().default(0),
  locked: z.boolean().default(false),
  provenance: Provenance.nullable().default(null),
};

/** A layer mask (Photoshop's pixel mask): grey levels of `imageId` (its red channel, white =
 * shown), placed on the canvas at x, y (the layer's coordinates, like the layer itself);
 * outside that box the mask is `defaultColor`. A disabled mask is kept but not applied. */
export const LayerMask = z.object({
  imageId: z.string().min(1),
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  enabled: z.boolean().default(true),
  defaultColor: z.union([z.literal(0), z.literal(255)]).default(255),
});
export type LayerMask = z.infer<typeof LayerMask>;

/** Pixels live in the image store under `imageId` (immutable; new pixels get a new id). */
export const RasterLayer = z.object({
  ...layerCommon,
  kind: z.literal('raster'),
  imageId: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** lock transparency: painting changes colour, never alpha */
  lockAlpha: z.boolean().optional(),
  /** clipping mask: shown only where the layer below it (its base) has alpha */
  clip: z.boolean().optional(),
  mask: LayerMask.nullable().optional(),
});

export const TEXT_ALIGNS = ['left', 'center', 'right'] as const;
export const TextAlign = z.enum(TEXT_ALIGNS);
export type TextAlign = z.infer<typeof TextAlign>;

export const TextLayer = z.object({
  ...layerCommon,
  kind: z.literal('text'),
  text: z.string(),
  fontFamily: z.string().default('DejaVu Sans'),
  fontSize: z.number().positive().default(32),
  /** RGBA, 0-255 each. */
  color: z.tuple([z.number(), z.number(), z.number(), z.number()]).default([0, 0, 0, 255]),
  /** How the lines of a multi-line text align inside its box. */
  align: TextAlign.default('left'),
  /** Rasterized appearance for compositing and export (optional cache). */
  imageId: z.string().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});

export const RegionShape = z.discriminatedUnion('type', [
  z.object({ type: z.literal('box'), width: z.number().positive(), height: z.number().positive() }),
  /** Mask: alpha channel of `maskImageId` (same size as the shape), nonzero = inside. */
  z.object({
    type: z.literal('mask'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    maskImageId: z.string().min(1),
  }),
]);
export type RegionShape = z.infer<typeof RegionShape>;

/** A region is the input to generation; its place in the stack is its occlusion order. */
export const RegionLayer = z.object({
  ...layerCommon,
  kind: z.literal('region'),
  shape: RegionShape,
  prompt: z.string(),
  /** Overlay colour in the editor, '#rrggbb'. */
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/).default('#4f8cff'),
});

export type RasterLayer = z.infer<typeof RasterLayer>;
export type TextLayer = z.infer<typeof TextLayer>;
export type RegionLayer = z.infer<typeof RegionLayer>;
export type GroupLayer = z.infer<typeof layerCommonSchema> & {
  kind: 'group';
  expanded: boolean;
  children: Layer[];
};
export type Layer = RasterLayer | TextLayer | RegionLayer | GroupLayer;
export type LayerKind = Layer['kind'];

const layerCommonSchema = z.object(layerCommon);

export const GroupLayer: z.ZodType<GroupLayer, unknown> = z.lazy(() =>
  z.object({
    ...layerCommon,
    kind: z.literal('group'),
    expanded: z.boolean().default(true),
    children: z.array(Layer),
  }),
) as unknown as z.ZodType<GroupLayer, unknown>;

export const Layer: z.ZodType<Layer, unknown> = z.lazy(() =>
  z.union([RasterLayer, TextLayer, RegionLayer, GroupLayer]),
) as unknown as z.ZodType<Layer, unknown>;

export const DOCUMENT_FORMAT_VERSION = 1;
export const MAX_CANVAS_SIDE = LIMITS.canvasSide.max;

export const LaminaDocument = z.object({
  formatVersion: z.literal(DOCUMENT_FORMAT_VERSION).default(DOCUMENT_FORMAT_VERSION),
  name: z.string().default('Untitled'),
  width: z.number().int().positive().max(MAX_CANVAS_SIDE),
  height: z.number().int().positive().max(MAX_CANVAS_SIDE),
  /** Front first. */
  layers: z.array(Layer),
  /** what was generated in it, newest first (./generation-history.ts) */
  generations: z.array(GenerationEntry).optional(),
});
export type LaminaDocument = z.infer<typeof LaminaDocument>;

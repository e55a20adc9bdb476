import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaminaDocument, type BlendMode } from '../../../common/document/document-schema.ts';
import { compositeDocument } from './composite.ts';
import { ImageStore } from './image-store.ts';
import { createRgbaImage } from './rgba-image.ts';

type Rgba = [number, number, number, number];

// Backdrop Cb = (0.2, 0.4, 0.6) opaque; source Cs = (1, 0.2, 0) opaque. Expected values were
// computed by hand from the W3C formulas (see the notes beside each family).
const BACKDROP: Rgba = [51, 102, 153, 255];
const SOURCE: Rgba = [255, 51, 0, 255];

function onePixelDoc(store: ImageStore, layers: unknown[]): LaminaDocument {
  return LaminaDocument.parse({ width: 1, height: 1, layers });
}

function rasterLayer(store: ImageStore, id: string, rgba: Rgba, extra: Record<string, unknown> = {}) {
  return { id, name: id, kind: 'raster', imageId: store.put(createRgbaImage(1, 1, rgba)), width: 1, height: 1, ...extra };
}

function pixelOf(layers: (store: ImageStore) => unknown[]): number[] {
  const store = new ImageStore();
  const out = compositeDocument(onePixelDoc(store, layers(store)), store);
  return [...out.data];
}

function assertPixel(actual: number[], expected: number[], label: string): void {
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1, `${label}: got [${actual}], expected [${expected}]`);
  }
}

function blendOnBackdrop(mode: BlendMode): number[] {
  return pixelOf((s) => [rasterLayer(s, 'top', SOURCE, { blendMode: mode }), rasterLayer(s, 'bottom', BACKDROP)]);
}

test('separable blend modes match hand-computed W3C values', () => {
  const expected: Partial<Record<BlendMode, number[]>> = {
    normal: [255, 51, 0, 255],
    multiply: [51, 20, 0, 255], // Cb*Cs
    screen: [255, 133, 153, 255], // Cb+Cs-Cb*Cs
    overlay: [102, 41, 51, 255], // HardLight(Cs, Cb)
    darken: [51, 51, 0, 255],
    lighten: [255, 102, 153, 255],
    'color-dodge': [255, 128, 153, 255], // min(1, Cb/(1-Cs)), 1 when Cs=1
    'color-burn': [51, 0, 0, 255], // 1-min(1,(1-Cb)/Cs), 0 when Cs=0
    'hard-light': [255, 41, 0, 255],
    'soft-light': [114, 65, 92, 255], // D(Cb) branch for Cb<=0.25
    difference: [204, 51, 153, 255],
    exclusion: [204, 112, 153, 255],
    'linear-dodge': [255, 153, 153, 255], // min(1, Cb+Cs)
  };
  for (const [mode, value] of Object.entries(expected)) assertPixel(blendOnBackdrop(mode as BlendMode), value, mode);
});

test('non-separable blend modes match hand-computed W3C values', () => {
  // lum(Cb)=0.362, sat(Cb)=0.4, lum(Cs)=0.418, sat(Cs)=1
  assertPixel(blendOnBackdrop('luminosity'), [65, 116, 167, 255], 'luminosity'); // SetLum(Cb, 0.418)
  assertPixel(blendOnBackdrop('color'), [221, 44, 0, 255], 'color'); // SetLum(Cs, 0.362), clipped
  assertPixel(blendOnBackdrop('hue'), [152, 70, 50, 255], 'hue'); // SetLum(SetSat(Cs, 0.4), 0.362)
  assertPixel(blendOnBackdrop('saturation'), [0, 114, 228, 255], 'saturation'); // SetLum(SetSat(Cb, 1), 0.362)
});

test('opacity, straight alpha and an empty backdrop', () => {
  assertPixel(pixelOf((s) => [rasterLayer(s, 'top', SOURCE, { opacity: 0.5 }), rasterLayer(s, 'bottom', BACKDROP)]), [153, 77, 77, 255], 'half opacity');
  // On a transparent backdrop any mode shows the source itself (Cs' = Cs when alpha_b = 0).
  assertPixel(pixelOf((s) => [rasterLayer(s, 'top', [255, 51, 0, 128], { blendMode: 'multiply' })]), [255, 51, 0, 128], 'empty backdrop');
  // 50% over 50%: alpha 0.75, colour (0.5*1 + 0.25*0.2)/0.75 etc.
  assertPixel(pixelOf((s) => [rasterLayer(s, 'top', [255, 51, 0, 128]), rasterLayer(s, 'bottom', [51, 102, 153, 128])]), [187, 68, 51, 192], 'alpha over alpha');
});

test('hidden layers and region layers are not painted; text paints its cache', () => {
  const px = pixelOf((s) => [
    rasterLayer(s, 'hidden', SOURCE, { visible: false }),
    { id: 'r', name: 'r', kind: 'region', prompt: 'x', shape: { type: 'box', width: 1, height: 1 } },
    { id: 't', name: 't', kind: 'text', text: 'x', imageId: s.put(createRgbaImage(1, 1, [0, 0, 255, 255])), width: 1, height: 1, opacity: 0.5 },
    rasterLayer(s, 'bottom', BACKDROP),
  ]);
  assertPixel(px, [26, 51, 204, 255], 'text over backdrop at 50%');
});

test('pass-through and isolated groups', () => {
  const group = (mode: BlendMode, opacity: number, child: Record<string, unknown>) => ({ id: 'g', name: 'g', kind: 'group', blendMode: mode, opacity, children: [child] });
  // Normal group passes through: the child's multiply sees the backdrop.
  assertPixel(pixelOf((s) => [group('normal', 1, rasterLayer(s, 'c', SOURCE, { blendMode: 'multiply' })), rasterLayer(s, 'b', BACKDROP)]), [51, 20, 0, 255], 'pass-through');
  // Pass-through at 50%: mix of backdrop and painted result.
  assertPixel(pixelOf((s) => [group('normal', 0.5, rasterLayer(s, 'c', SOURCE)), rasterLayer(s, 'b', BACKDROP)]), [153, 77, 77, 255], 'pass-through opacity');
  // Screen group is isolated: the child's multiply has nothing below it, then the group screens.
  assertPixel(pixelOf((s) => [group('screen', 1, rasterLayer(s, 'c', SOURCE, { blendMode: 'multiply' })), rasterLayer(s, 'b', BACKDROP)]), [255, 133, 153, 255], 'isolated');
  // Hidden group hides its children.
  const hidden = { ...group('normal', 1, {}), visible: false };
  assertPixel(pixelOf((s) => [{ ...hidden, children: [rasterLayer(s, 'c', SOURCE)] }, rasterLayer(s, 'b', BACKDROP)]), BACKDROP, 'hidden group');
});

test('offsets place layers and clip them to the canvas', () => {
  const store = new ImageStore();
  const img = createRgbaImage(2, 2, [255, 0, 0, 255]);
  const doc = LaminaDocument.parse({
    width: 3,
    height: 3,
    layers: [{ id: 'a', name: 'a', kind: 'raster', imageId: store.put(img), width: 2, height: 2, x: -1, y: 2 }],
  });
  const out = compositeDocument(doc, store);
  const alpha = (x: number, y: number) => out.data[(y * 3 + x) * 4 + 3];
  assert.equal(alpha(0, 2), 255);
  assert.equal(alpha(1, 2), 0);
  assert.equal(alpha(0, 1), 0);
});

// Documents for tests: small, deterministic, and exercising every layer kind.
import { resolve } from 'node:path';
import { LaminaDocument, type Layer } from '../../../common/document/document-schema.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { crc32 } from './crc32.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
/** The shared PSD corpus (psd-tools' test files), beside the repository. */
export const PSD_CORPUS = resolve(REPO_ROOT, '../shared/fixtures/psd-corpus');

/** A deterministic gradient with varying alpha. */
export function patternImage(width: number, height: number, seed: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data[o] = (x * 37 + seed * 53) & 255;
      data[o + 1] = (y * 29 + seed * 91) & 255;
      data[o + 2] = (x * y + seed * 17) & 255;
      data[o + 3] = 255 - ((x + y + seed) % 7) * 20;
    }
  }
  return { width, height, data };
}

export function solidImage(width: number, height: number, rgba: readonly [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

/** Every provenance field, so the round trips (ORA, PSD metadata) prove none is dropped. */
const provenance = {
  task: 'generate',
  packId: 'lamina-tiny',
  packVersion: '0.3.0',
  pipeline: 'layerbind',
  prompt: 'a red ball on a shelf',
  regions: [{ id: 'region-1', box: [2, 3, 10, 8] as [number, number, number, number], prompt: 'red ball' }],
  order: ['region-1'],
  seed: 42,
  steps: 8,
  guidance: 3.5,
  sampler: 'flow_match_euler',
  shift: 1,
  spacing: 'linspace',
  timestepScale: 1,
  noise: 'philox4x32-10 + box-muller',
  native: { width: 128, height: 128 },
  provider: 'cpu',
  createdAt: '2026-11-28T09:00:00.000Z',
  params: { layerbind: { mode: 'layerbind' as const, fuseStep: 1, nursingSteps: 2, schedule: 'cosine' as const, strength: 1, sharedUncond: true, futureKnob: 0.25 }, art: { layerCount: 3 } },
};

function raster(store: ImageStore, id: string, name: string, img: RgbaImage, extra: Partial<Layer> = {}): Layer {
  const imageId = store.put(img, `img-${id}`);
  return { id, name, kind: 'raster', imageId, width: img.width, height: img.height, ...extra } as Layer;
}

/**
 * 40x30 canvas, front first: text (with cache), a pass-through group (multiply layer,
 * half-opacity layer at a negative offset), an isolated screen group, a hidden layer,
 * a mask region with provenance, a box region, and a background with provenance.
 */
export function sampleDocument(): { doc: LaminaDocument; store: ImageStore } {
  const store = new ImageStore();
  const textCache = store.put(solidImage(12, 6, [250, 250, 250, 255]), 'img-text-cache');
  const mask = store.put(solidImage(6, 5, [255, 255, 255, 255]), 'img-region-mask');
  const layers = [
    { id: 'text', name: 'Title', kind: 'text', text: 'Hello', fontFamily: 'DejaVu Sans', fontSize: 6, color: [250, 250, 250, 255], imageId: textCache, width: 12, height: 6, x: 20, y: 1 },
    {
      id: 'group', name: 'Group', kind: 'group', expanded: true, children: [
        raster(store, 'mul', 'Multiply', patternImage(10, 8, 1), { blendMode: 'multiply', x: 3, y: 4 }),
        raster(store, 'half', 'Half', patternImage(9, 9, 2), { opacity: 0.5, x: -2, y: 12 }),
      ],
    },
    {
      id: 'screen-group', name: 'Screen group', kind: 'group', blendMode: 'screen', opacity: 0.75, expanded: false, children: [
        raster(store, 'in-screen', 'Inside screen', patternImage(8, 6, 3), { x: 25, y: 18 }),
      ],
    },
    raster(store, 'hidden', 'Hidden layer', patternImage(5, 5, 4), { visible: false, x: 30, y: 2 }),
    { id: 'region-mask', name: 'Ball region', kind: 'region', prompt: 'red ball', color: '#ff0000', shape: { type: 'mask', width: 6, height: 5, maskImageId: mask }, x: 2, y: 3, provenance },
    { id: 'region-box', name: 'Sky', kind: 'region', prompt: 'blue sky', shape: { type: 'box', width: 20, height: 6 }, x: 0, y: 0 },
    raster(store, 'bg', 'Background', solidOpaque(patternImage(40, 30, 5)), { provenance, locked: true }),
  ];
  const doc = LaminaDocument.parse({ name: 'Sample', width: 40, height: 30, layers });
  return { doc, store };
}

function solidOpaque(img: RgbaImage): RgbaImage {
  const data = img.data.slice();
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { ...img, data };
}

/** `count` small raster layers, every tenth hidden, in groups of ten. */
export function manyLayerDocument(count: number): { doc: LaminaDocument; store: ImageStore } {
  const store = new ImageStore();
  const groups: Layer[] = [];
  for (let g = 0; g < count / 10; g++) {
    const children: Layer[] = [];
    for (let i = 0; i < 10; i++) {
      const n = g * 10 + i;
      children.push(raster(store, `l${n}`, `Layer ${n}`, patternImage(8, 8, n), { x: (n * 3) % 56, y: (n * 5) % 56, visible: n % 10 !== 9 }));
    }
    groups.push({ id: `g${g}`, name: `Group ${g}`, kind: 'group', children } as unknown as Layer);
  }
  const doc = LaminaDocument.parse({ name: 'Many', width: 64, height: 64, layers: groups });
  return { doc, store };
}

/** A PNG signature + IHDR chunk claiming width x height, and nothing else. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const type = Buffer.from('IHDR');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, ihdr])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, type, ihdr, crc]);
}


/** For assert.rejects/throws: a one-line LaminaError with `code` (and message matching `pattern`). */
export function isLamina(code: string, pattern?: RegExp) {
  return (err: unknown): true => {
    if (!(err instanceof LaminaError)) throw new Error(`expected a LaminaError, got: ${err}`);
    if (err.code !== code) throw new Error(`expected code ${code}, got ${err.code}: ${err.message}`);
    if (err.message.includes('\n')) throw new Error(`message is not one line: ${err.message}`);
    if (pattern && !pattern.test(err.message)) throw new Error(`message ${JSON.stringify(err.message)} does not match ${pattern}`);
    return true;
  };
}

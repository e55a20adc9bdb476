// Regenerate a picture or a masked part of it, on the random-weight fixture pack: pixels
// outside the mask come back byte for byte; inside they change; strength sets the steps.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadPackRegistry } from '../../runtime/pack-registry.ts';
import { collectingContext } from '../conformance.ts';
import { TextToImagePipeline } from '../pipeline-text-to-image.ts';
import { latentMask, startStep } from './init-image.ts';

const PACKS = fileURLToPath(new URL('../../runtime/fixtures', import.meta.url));
const W = 96, H = 64; // not the fixture's native 64 x 64: resampled both ways

function picture(): Uint8Array {
  const px = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 4;
    px[i] = (x * 7) & 255; px[i + 1] = (y * 11) & 255; px[i + 2] = ((x ^ y) * 5) & 255; px[i + 3] = 255;
  }
  return px;
}
/** white (regenerate) inside [x0, x1) x [y0, y1), black elsewhere */
function rectMask(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const v = x >= x0 && x < x1 && y >= y0 && y < y1 ? 255 : 0;
    m.set([v, v, v, 255], (y * W + x) * 4);
  }
  return m;
}

test('inpainting: pixels outside the mask come back unchanged, byte for byte; inside they are regenerated', async () => {
  const pack = (await loadPackRegistry([PACKS])).resolve('fixture-tiny');
  const p = new TextToImagePipeline(pack);
  const image = picture();
  const mask = rectMask(20, 10, 60, 40);
  const { ctx, events } = collectingContext();
  const r = await p.run({ prompt: 'a large red star', width: W, height: H, seed: 3, steps: 6, device: 'cpu', init: { image: { width: W, height: H, rgba: image }, mask: { width: W, height: H, rgba: mask }, strength: 0.5 } }, ctx);
  const out = r.layers[0].rgba;
  let outsideChanged = 0, insideChanged = 0;
  for (let p2 = 0; p2 < W * H; p2++) {
    const inside = mask[p2 * 4] > 0;
    const same = out[p2 * 4] === image[p2 * 4] && out[p2 * 4 + 1] === image[p2 * 4 + 1] && out[p2 * 4 + 2] === image[p2 * 4 + 2] && out[p2 * 4 + 3] === image[p2 * 4 + 3];
    if (!inside && !same) outsideChanged++;
    if (inside && !same) insideChanged++;
  }
  assert.equal(outsideChanged, 0, 'not one pixel outside the mask changed');
  assert.ok(insideChanged > 40 * 30 * 0.5, `${insideChanged} of ${40 * 30} masked pixels regenerated`);
  assert.equal(events.filter((e) => e.state === 'step').length, 3, 'strength 0.5 of 6 steps runs the last 3');
  assert.deepEqual(r.layers[0].provenance.params.init, { strength: 0.5, masked: true, startStep: 3 });
});

test('img2img without a mask: strength 0 runs no step; sizes must match', async () => {
  const pack = (await loadPackRegistry([PACKS])).resolve('fixture-tiny');
  const p = new TextToImagePipeline(pack);
  const image = { width: W, height: H, rgba: picture() };
  const spec = { prompt: 'a large red star', width: W, height: H, seed: 3, steps: 4, device: 'cpu' as const };
  const { ctx, events } = collectingContext();
  await p.run({ ...spec, init: { image, strength: 0 } }, ctx);
  assert.equal(events.filter((e) => e.state === 'step').length, 0);
  await assert.rejects(p.run({ ...spec, width: 64, init: { image, strength: 0.5 } }, collectingContext().ctx), /init image is 96x64; the spec asks for 64x64/);
  await assert.rejects(p.run({ ...spec, init: { image, mask: { width: 8, height: 8, rgba: new Uint8Array(256) }, strength: 0.5 } }, collectingContext().ctx), /init mask is 8x8/);
});

test('the latent mask covers every cell any masked pixel touches; strength -> first step', () => {
  const w = new Float32Array(16 * 16);
  w[5 * 16 + 9] = 0.2; // one faint pixel
  const m = latentMask(w, 16, 16, 4, 4);
  assert.deepEqual([...m].map((v, i) => (v ? i : -1)).filter((i) => i >= 0), [1 * 4 + 2]);
  assert.deepEqual([startStep(20, 1), startStep(20, 0.6), startStep(20, 0), startStep(3, 0.5)], [0, 8, 20, 1]);
});

test('latent blending: outside the mask the latent follows the picture\'s noising path at every step, whatever the prompt', async () => {
  const { readPackModel } = await import('../../runtime/pack-model.ts');
  const { latentGeometry } = await import('./prepare-latents.ts');
  const { maskWeights } = await import('./init-image.ts');
  const pack = (await loadPackRegistry([PACKS])).resolve('fixture-tiny');
  const g = latentGeometry(readPackModel(pack));
  const mask = { width: W, height: H, rgba: rectMask(0, 0, 40, 64) };
  const regen = latentMask(maskWeights(mask), W, H, g.lh, g.lw);
  const lastLatents = async (prompt: string) => {
    let last: Float32Array | null = null;
    const p = new TextToImagePipeline(pack, { onStepEnd: ({ i, latents }) => { if (i === 5) last = latents.slice(); } });
    await p.run({ prompt, width: W, height: H, seed: 3, steps: 6, device: 'cpu', init: { image: { width: W, height: H, rgba: picture() }, mask, strength: 1 } }, collectingContext().ctx);
    return last!;
  };
  const a = await lastLatents('a large red star');
  const b = await lastLatents('a small blue circle');
  const plane = g.lh * g.lw;
  let keptDiffer = 0, regenDiffer = 0;
  for (let c = 0; c < g.channels; c++) for (let q = 0; q < plane; q++) {
    const d = Math.abs(a[c * plane + q] - b[c * plane + q]) > 1e-6;
    if (regen[q]) regenDiffer += d ? 1 : 0;
    else keptDiffer += d ? 1 : 0;
  }
  assert.equal(keptDiffer, 0, 'kept cells are blended back each step');
  assert.ok(regenDiffer > 0, 'the masked cells follow the prompt');
});

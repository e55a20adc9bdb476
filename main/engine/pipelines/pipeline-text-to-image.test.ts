import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import sharp from 'sharp';
import { pixelDigest } from '../testing/pixel-digest.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { FIXTURE_PACK_DIR as FIXTURE, loadFixturePack, loadShippedPack } from '../testing/test-packs.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { collectingContext, conformance } from './conformance.ts';
import { PackComponents } from './pack-components.ts';
import { findPipeline } from './pipeline-registry.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';
import { GenerationResult } from '../../../common/contract/task-results.ts';
import { normalNoise } from '../runtime/prng.ts';
import '../runtime/test-quiet-providers.ts';

const fixture = await loadFixturePack();
const real = await loadShippedPack();

const spec = { prompt: 'a large red star on a blue background', width: 64, height: 64, seed: 7, steps: 4, guidance: 4, device: 'cpu' as const };
const badSpecs = [
  { spec: { ...spec, steps: 0 }, code: 'bad_request', message: /steps/ },
  { spec: { ...spec, width: -5 }, code: 'bad_request', message: /width/ },
  { spec: { ...spec, prompt: 'a large red stra' }, code: 'bad_request', message: /"stra" \(closest: star/ },
  { spec: { ...spec, seed: 2 ** 33 }, code: 'bad_request', message: /seed/ },
  { spec: { ...spec, device: 'tpu' }, code: 'bad_request', message: /device/ },
];
const make = (pack: Pack, pool: SessionPool) => new TextToImagePipeline(pack, { pool });

conformance({ name: 'text-to-image on fixture-tiny', pack: fixture, make, spec, badSpecs });
conformance({ name: 'text-to-image on lamina-tiny', pack: real, make, spec: { ...spec, width: 128, height: 128 }, badSpecs });

test('text-to-image: registered for its task; CFG off = batch 1; previews; resample note', async () => {
  const p = findPipeline(fixture, 'text-to-image');
  assert.ok(p instanceof TextToImagePipeline);
  const pool = new SessionPool();
  try {
    const { ctx, events } = collectingContext();
    const r = await new TextToImagePipeline(fixture, { pool, previewEvery: 2 }).run({ ...spec, width: 96, height: 48, guidance: 1 }, ctx);
    const parsed = GenerationResult.safeParse(r);
    assert.ok(parsed.success, `result matches the GenerationResult contract: ${parsed.success ? '' : parsed.error.message}`);
    assert.equal(r.layers[0].provenance.packId, 'fixture-tiny');
    assert.equal(r.layers[0].width, 96);
    assert.equal(r.layers[0].height, 48);
    assert.match(r.notes.join(' '), /native 64x64 and resampled to 96x48/);
    assert.equal(r.provider, 'cpu');
    const previews = events.filter((e) => e.preview);
    assert.equal(previews.length, 1); // step 2 of 4 (never on the last step)
    const meta = await sharp(Buffer.from(previews[0].preview!, 'base64')).metadata();
    assert.ok(meta.width! <= 64 && meta.format === 'png');
    assert.ok(r.timings.step_ms > 0 && r.timings.total_ms >= r.timings.denoise_ms);
    // guidance changes the image
    const g4 = await new TextToImagePipeline(fixture, { pool, previewEvery: 0 }).run(spec, collectingContext().ctx);
    const g1 = await new TextToImagePipeline(fixture, { pool, previewEvery: 0 }).run({ ...spec, guidance: 1 }, collectingContext().ctx);
    assert.notEqual(pixelDigest(g4.layers[0]), pixelDigest(g1.layers[0]));
  } finally {
    await pool.dispose();
  }
});

test('pack components: image -> latent -> image keeps the native size; latent normalization applied', async () => {
  const pool = new SessionPool();
  try {
    const parts = new PackComponents(fixture, pool, 'cpu');
    const { width, height } = parts.model.native;
    const data = new Uint8Array(32 * 40 * 4).map((_, i) => (i * 37) & 255);
    const { latent, dims } = await parts.encodeImage({ width: 32, height: 40, data });
    assert.deepEqual(dims, [1, parts.model.latent.channels, height / 8, width / 8]);
    assert.ok(latent.every(Number.isFinite));
    const decoded = await parts.decodeLatents(latent, 1, dims[2], dims[3]);
    const [img] = parts.toImages(decoded, 1);
    assert.equal(img.width, width);
    assert.equal(img.height, height);
    // the transparent image's latent: encoded once, then the same array for this encoder
    const clear = await parts.transparentLatent();
    assert.deepEqual(clear, (await parts.encodeImage({ width, height, data: new Uint8Array(width * height * 4) })).latent);
    assert.equal(await new PackComponents(fixture, pool, 'cpu').transparentLatent(), clear, 'cached across components of the pack');
    parts.release();
    assert.equal(pool.inUseCount, 0);
  } finally {
    await pool.dispose();
  }
});

test('text-to-image: matches the recipe sampler driving the same graphs from Python (same noise)', { skip: !hasPythonOrt() && 'python3 with torch + onnxruntime not available' }, async () => {
  const pool = new SessionPool();
  try {
    const parts = new PackComponents(fixture, pool, 'cpu');
    const { channels, vaeScaleFactor } = parts.model.latent;
    const n = channels * (parts.model.native.height / vaeScaleFactor) * (parts.model.native.width / vaeScaleFactor);
    let finalLatents: Float32Array | null = null;
    const steps = 6;
    const p = new TextToImagePipeline(fixture, {
      pool, previewEvery: 0,
      onStepEnd: ({ i, n: total, sigma, latents, velocity }) => {
        if (i === total - 1) finalLatents = latents.map((x, k) => x + (0 - sigma) * velocity[k]); // last Euler step (sigma_next = 0)
      },
    });
    await p.run({ ...spec, steps }, collectingContext().ctx);
    const ref = JSON.parse(execFileSync('python3', [fileURLToPath(new URL('./fixtures/reference-text-to-image.py', import.meta.url))], {
      input: JSON.stringify({ pack: FIXTURE, prompt: spec.prompt, steps, guidance: spec.guidance, noise: [...normalNoise(spec.seed, n)] }),
      encoding: 'utf8', maxBuffer: 64 << 20,
    })) as { latents: number[] };
    assert.equal(ref.latents.length, finalLatents!.length);
    let maxErr = 0;
    finalLatents!.forEach((v, k) => (maxErr = Math.max(maxErr, Math.abs(v - ref.latents[k]))));
    assert.ok(maxErr < 1e-4, `final latents differ from the Python reference by ${maxErr}`);
    console.log(`# parity: max |latent diff| vs Python reference = ${maxErr.toExponential(2)}`);
  } finally {
    await pool.dispose();
  }
});

function hasPythonOrt(): boolean {
  try {
    execFileSync('python3', ['-c', 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("torch") and u.find_spec("onnxruntime") else 1)'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

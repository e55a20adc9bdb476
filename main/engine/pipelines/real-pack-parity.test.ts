// Parity of Lamina's pipelines with diffusers on converted tiny SD3 and FLUX packs
// (testing/real-packs.ts builds them): the tokenizers token for token against Python's,
// text-to-image's final latents (<= 1e-3) and pixels (<= 1/255) against
// StableDiffusion3Pipeline / FluxPipeline on the same noise (.npy), steps and guidance,
// and LayerBind with no regions equal to text-to-image. Skips (and says why) where
// python3 lacks the recipe requirements.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { detachedJobContext } from '../jobs/job-context.ts';
import { readNpyFloat32, writeNpyFloat32 } from '../runtime/npy.ts';
import { diffusionManifest } from '../runtime/pack-model.ts';
import { verifyPack, type Pack } from '../runtime/pack-registry.ts';
import { normalNoise } from '../runtime/prng.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { HfTokenizer } from '../text/hf-tokenizer.ts';
import { realPackPythonMissing, realVariantFamily, runPython, tinyRealPack, type RealVariant } from '../testing/real-packs.ts';
import { PackComponents } from './pack-components.ts';
import { DenoiserBatch } from './denoise/denoiser-batch.ts';
import { latentGeometry } from './denoise/prepare-latents.ts';
import { floatTensor } from '../runtime/tensors.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LayerBindPipeline } from './pipeline-layerbind.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';

const missing = realPackPythonMissing();
if (missing) console.log(`# real-pack parity: skipped (${missing})`);

const PROMPTS = ['a large red circle', 'A photo of an Astronaut riding a horse on MARS!! 4k, "neon" — café', '', 'x '.repeat(300)];
// sd35: SD3.5 Medium's dual-attention (attn2) block then SD3.5 Large-style q/k-normed joint blocks; sd35-large: only those
const CASES: { variant: RealVariant; guidance: number; imageOnlyLayers: number }[] = [
  { variant: 'sd3', guidance: 4, imageOnlyLayers: 0 },
  { variant: 'sd35', guidance: 4, imageOnlyLayers: 1 },
  { variant: 'sd35-large', guidance: 4, imageOnlyLayers: 0 },
  { variant: 'flux', guidance: 3.5, imageOnlyLayers: 0 },
];

for (const { variant, guidance, imageOnlyLayers } of CASES) {
  const family = realVariantFamily(variant);
  describe(`real pack parity: ${variant}`, { skip: missing ?? undefined }, () => {
    let pack: Pack;
    let dirs: { diffusers: string; pack: string };
    const work = () => join(dirs.pack, '..', 'parity');

    test('converts the tiny diffusers folder into a pack that verifies', { timeout: 600_000 }, async () => {
      dirs = tinyRealPack(variant);
      pack = await verifyPack(dirs.pack);
      assert.equal(diffusionManifest(pack).components.transformer.family, family);
      const diffs = (diffusionManifest(pack).about.conversion as { onnx_vs_torch_max_abs_diff: Record<string, number> }).onnx_vs_torch_max_abs_diff;
      const tr = diffusionManifest(pack).components.transformer;
      assert.equal(tr.attentionBiasLayers, tr.blockCount + (tr.singleBlockCount ?? 0), 'the region bias reaches every joint and single block');
      assert.equal(tr.imageAttentionBiasLayers ?? 0, imageOnlyLayers, 'its image-image part reaches every image-only attn2 (SD3.5 Medium)');
      assert.ok(tr.io.textKv, 'per-joint-block text K/V outputs and overrides');
      for (const [graph, d] of Object.entries(diffs)) assert.ok(d < 1e-4, `${graph}: ONNX vs torch ${d}`);
      console.log(`# ${variant} ONNX vs torch max abs diff: ${Object.entries(diffs).map(([g, d]) => `${g} ${d.toExponential(2)}`).join(', ')}`);
    });

    test('tokenizers match Python tokenizers token for token', { timeout: 120_000 }, () => {
      mkdirSync(work(), { recursive: true });
      const promptsFile = join(work(), 'prompts.json');
      writeFileSync(promptsFile, JSON.stringify(PROMPTS));
      const out = join(work(), 'tokens.json');
      runPython(['-m', 'models.recipes.diffusers_reference', 'tokens', dirs.diffusers, '--prompts', promptsFile, '--out', out]);
      const ref = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number[][]>;
      const parts = new PackComponents(pack);
      let checked = 0;
      for (const [name, rows] of Object.entries(ref)) {
        const spec = diffusionManifest(pack).components.tokenizers[name];
        assert.ok(spec && spec.type !== 'word', `pack has tokenizer ${name}`);
        // the reference pads T5 to 256; compare at that length
        const tok = HfTokenizer.fromFiles(join(pack.dir, spec.file), spec.config ? join(pack.dir, spec.config) : undefined, rows[0].length, name);
        PROMPTS.forEach((p, i) => assert.deepEqual(tok.encodeFixed(p).ids, rows[i], `${name} on ${JSON.stringify(p.slice(0, 40))}`));
        checked += PROMPTS.length;
        assert.ok(parts.hfTokenizer(name).maxLength > 0);
      }
      assert.ok(checked >= 2 * PROMPTS.length);
    });

    test('text-to-image equals diffusers on the same noise (latents <= 1e-3, pixels <= 1/255); layerbind without regions equals text-to-image', { timeout: 600_000 }, async () => {
      const m = diffusionManifest(pack);
      const codec = m.components.imageCodec;
      assert.ok(codec.kind !== 'none');
      const size = 32;
      const lh = size / codec.scaleFactor;
      const noisePath = join(work(), 'noise.npy');
      writeNpyFloat32(noisePath, [1, codec.latentChannels, lh, lh], normalNoise(11, codec.latentChannels * lh * lh));
      const steps = 3;
      const prompt = 'a large red circle';
      const refDir = join(work(), 'ref');
      mkdirSync(refDir, { recursive: true });
      const maxSeq = Math.max(...m.components.textEncoders.map((t) => (m.components.tokenizers[t.tokenizer].type === 't5-unigram' ? m.components.tokenizers[t.tokenizer].maxLength : 0)));
      runPython(['-m', 'models.recipes.diffusers_reference', 'generate', dirs.diffusers, '--prompt', prompt, '--noise', noisePath, '--steps', String(steps),
        '--guidance', String(guidance), '--width', String(size), '--height', String(size), '--max-sequence-length', String(maxSeq), '--out', refDir]);
      const refLat = readNpyFloat32(join(refDir, 'latents.npy'));
      const refImg = readNpyFloat32(join(refDir, 'image.npy'));

      const pool = new SessionPool();
      try {
        const spec = { prompt, width: size, height: size, seed: 0, steps, guidance, noise: noisePath, packId: m.id, device: 'cpu' as const };
        let latents: Float32Array | null = null;
        const t2i = await new TextToImagePipeline(pack, { pool, previewEvery: 0, onDenoised: (l) => (latents = Float32Array.from(l)) }).run(spec, detachedJobContext());
        assert.ok(latents, 'onDenoised was called');
        const lat = latents as Float32Array;
        assert.equal(lat.length, refLat.data.length);
        let dLat = 0;
        for (let i = 0; i < lat.length; i++) dLat = Math.max(dLat, Math.abs(lat[i] - refLat.data[i]));
        const layer = t2i.layers[0];
        assert.equal(layer.width, size);
        const px = layer.rgba;
        let dPx = 0;
        for (let p = 0; p < size * size; p++) for (let c = 0; c < 3; c++) dPx = Math.max(dPx, Math.abs(px[p * 4 + c] / 255 - refImg.data[p * 3 + c]));
        console.log(`# ${variant} parity (${steps} steps, guidance ${guidance}, ${size}x${size}): latents max abs diff ${dLat.toExponential(3)}, pixels max abs diff ${(dPx * 255).toFixed(3)}/255`);
        assert.ok(dLat <= 1e-3, `latents differ by ${dLat}`);
        assert.ok(dPx <= 1 / 255 + 1e-6, `pixels differ by ${dPx * 255}/255`);

        // LayerBind without region conditioning (mode "global": the regions are only laid out) is text-to-image
        const region = { id: 'r', box: [4, 4, 16, 16] as [number, number, number, number], prompt: 'a small blue square' };
        const lbSpec = { ...spec, regions: [region], order: ['r'] };
        const lbGlobal = await new LayerBindPipeline(pack, { pool, previewEvery: 0, mode: 'global' }).run(lbSpec, detachedJobContext());
        let dGlobal = 0;
        lbGlobal.layers[0].rgba.forEach((v, i) => (dGlobal = Math.max(dGlobal, Math.abs(v - px[i]))));
        assert.ok(dGlobal <= 1, `layerbind mode global differs from text-to-image by ${dGlobal}/255`);
        // LayerBind proper (instance branches, fusion, nursing) runs end to end on the family and changes the image
        let fused = 0;
        const lb = await new LayerBindPipeline(pack, { pool, previewEvery: 0, fuseStep: 1, nursingSteps: 1, onFuse: () => fused++ }).run(lbSpec, detachedJobContext());
        assert.equal(fused, 1);
        let dLb = 0;
        lb.layers[0].rgba.forEach((v, i) => (dLb = Math.max(dLb, Math.abs(v - px[i]))));
        console.log(`# ${variant} layerbind: mode global vs text-to-image max diff ${dGlobal}/255; one region (fuse step 1, nursing 1) vs text-to-image ${dLb}/255`);
        assert.ok(dLb > 0, 'a region changes the image');
      } finally {
        await pool.dispose();
      }
    });

    test('text K/V: an override equal to the block\'s own K/V is a no-op; another override changes the velocity', { timeout: 120_000 }, async () => {
      const pool = new SessionPool();
      const parts = new PackComponents(pack, pool, 'cpu');
      try {
        const model = parts.model;
        const io = model.transformer.io;
        assert.ok(io.textKv);
        const text = await parts.encodePrompts(['a large red circle']);
        const tr = await parts.graph(model.transformer.graph);
        const geometry = latentGeometry(model, { width: 32, height: 32 });
        const batch = new DenoiserBatch(tr, model, geometry, { batch: 1, textLen: text.length, dim: model.transformer.textDim, embeds: text.embeds, mask: text.mask, pooled: text.pooled, pooledDim: text.pooledDim }, family === 'flux' ? 3.5 : undefined);
        (batch.feeds[io.latent].data as Float32Array).set(normalNoise(3, geometry.size));
        (batch.feeds[io.timestep].data as Float32Array).fill(family === 'flux' ? 0.6 : 600);
        const blocks = model.transformer.blockCount;
        const own = await tr.run(batch.feeds, { bindings: batch.bindings });
        const ones = floatTensor(new Float32Array(blocks).fill(1), [1, blocks]);
        const same = await tr.run({ ...batch.feeds, [io.textKv.kOverride]: own[io.textKv.k], [io.textKv.vOverride]: own[io.textKv.v], [io.textKv.mix]: ones }, { bindings: batch.bindings });
        const other = await tr.run({ ...batch.feeds, [io.textKv.mix]: ones }, { bindings: batch.bindings }); // zero overrides, fully mixed in
        const diff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
        const v0 = own[io.output].data as Float32Array;
        const dSame = diff(v0, same[io.output].data as Float32Array);
        const dOther = diff(v0, other[io.output].data as Float32Array);
        assert.deepEqual(own[io.textKv.k].dims, [blocks, 1, own[io.textKv.k].dims[2], text.length, own[io.textKv.k].dims[4]]);
        console.log(`# ${variant} K/V override = own K/V: velocity changes by ${dSame}; zero K/V override: ${dOther.toExponential(2)}`);
        assert.ok(dSame <= 1e-6, `own K/V override changed the velocity by ${dSame}`);
        assert.ok(dOther > 1e-4, 'a different override reaches the velocity');
      } finally {
        parts.release();
        await pool.dispose();
      }
    });

    // one family is enough for the CLI path (each conversion costs Python start-up and export time)
    test('CLI: lamina pack convert --dtype fp16, then lamina generate --spec with its packId', { timeout: 600_000, skip: variant !== 'sd3' ? 'the CLI path runs on sd3 only' : undefined }, () => {
      const home = mkdtempSync(join(tmpdir(), 'lamina-realpack-cli-'));
      const out = join(home, 'packs', `tiny-${family}-fp16`);
      const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'lamina.mjs');
      const env = { ...process.env, LAMINA_HOME: home, PYTHONWARNINGS: 'ignore', OMP_NUM_THREADS: '1' };
      const conv = spawnSync(process.execPath, [bin, 'pack', 'convert', dirs.diffusers, '--out', out, '--dtype', 'fp16', '--id', `tiny-${family}-fp16`, '--json'], { encoding: 'utf8', env, timeout: 300_000 });
      assert.equal(conv.status, 0, conv.stderr);
      const report = JSON.parse(conv.stdout);
      assert.equal(report.ok, true);
      assert.equal(report.conversion.dtype, 'fp16');
      const diffs = report.conversion.onnx_vs_torch_max_abs_diff as Record<string, number>;
      console.log(`# ${family} fp16 weights: ONNX vs fp32 torch max abs diff ${Object.entries(diffs).map(([g, d]) => `${g} ${d.toExponential(2)}`).join(', ')}`);
      assert.ok(diffs.transformer < 1e-2 && diffs.vae_decoder < 1e-4, 'fp16 weights stay close; the decoder stays fp32');
      const specPath = join(home, 'spec.json');
      writeFileSync(specPath, JSON.stringify({ prompt: 'a large red circle', width: 32, height: 32, seed: 1, steps: 2, guidance: 3, packId: `tiny-${family}-fp16`, device: 'cpu' }));
      const gen = spawnSync(process.execPath, [bin, 'generate', '--spec', specPath, '--out', join(home, 'out.png'), '--json'], { encoding: 'utf8', env, timeout: 300_000 });
      assert.equal(gen.status, 0, gen.stderr);
      const res = JSON.parse(gen.stdout);
      assert.equal(res.layers[0].provenance.packId, `tiny-${family}-fp16`);
      assert.deepEqual([res.layers[0].width, res.layers[0].height], [32, 32]);
    });
  });
}

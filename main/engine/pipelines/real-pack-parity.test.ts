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
import { verifyPack, type Pack } from '../runtime/pack-registry.ts';
import { normalNoise } from '../runtime/prng.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { HfTokenizer } from '../text/hf-tokenizer.ts';
import { realPackPythonMissing, runPython, tinyRealPack, type RealFamily } from '../testing/real-packs.ts';
import { PackComponents } from './pack-components.ts';
import { LayerBindPipeline } from './pipeline-layerbind.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';

const missing = realPackPythonMissing();
if (missing) console.log(`# real-pack parity: skipped (${missing})`);

const PROMPTS = ['a large red circle', 'A photo of an Astronaut riding a horse on MARS!! 4k, "neon" — café', '', 'x '.repeat(300)];
const CASES: { family: RealFamily; guidance: number }[] = [{ family: 'sd3', guidance: 4 }, { family: 'flux', guidance: 3.5 }];

for (const { family, guidance } of CASES) {
  describe(`real pack parity: ${family}`, { skip: missing ?? undefined }, () => {
    let pack: Pack;
    let dirs: { diffusers: string; pack: string };
    const work = () => join(dirs.pack, '..', 'parity');

    test('converts the tiny diffusers folder into a pack that verifies', { timeout: 600_000 }, async () => {
      dirs = tinyRealPack(family);
      pack = await verifyPack(dirs.pack);
      assert.equal(pack.manifest.components.transformer.family, family);
      const diffs = (pack.manifest.about.conversion as { onnx_vs_torch_max_abs_diff: Record<string, number> }).onnx_vs_torch_max_abs_diff;
      const tr = pack.manifest.components.transformer;
      assert.equal(tr.attentionBiasLayers, tr.blockCount + (tr.singleBlockCount ?? 0), 'the region bias reaches every joint and single block');
      assert.ok(tr.io.textKv, 'per-joint-block text K/V outputs and overrides');
      for (const [graph, d] of Object.entries(diffs)) assert.ok(d < 1e-4, `${graph}: ONNX vs torch ${d}`);
      console.log(`# ${family} ONNX vs torch max abs diff: ${Object.entries(diffs).map(([g, d]) => `${g} ${d.toExponential(2)}`).join(', ')}`);
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
        const spec = pack.manifest.components.tokenizers[name];
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
      const m = pack.manifest;
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
      runPython(['-c', `
import numpy as np, sys
from models.recipes.diffusers_reference import generate
lat, img = generate(sys.argv[1], sys.argv[2], np.load(sys.argv[3]), ${steps}, ${guidance}, ${size}, ${size}, ${maxSeq})
np.save(sys.argv[4] + '/latents.npy', lat); np.save(sys.argv[4] + '/image.npy', img)
`, dirs.diffusers, prompt, noisePath, refDir]);
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
        console.log(`# ${family} parity (${steps} steps, guidance ${guidance}, ${size}x${size}): latents max abs diff ${dLat.toExponential(3)}, pixels max abs diff ${(dPx * 255).toFixed(3)}/255`);
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
        console.log(`# ${family} layerbind: mode global vs text-to-image max diff ${dGlobal}/255; one region (fuse step 1, nursing 1) vs text-to-image ${dLb}/255`);
        assert.ok(dLb > 0, 'a region changes the image');
      } finally {
        await pool.dispose();
      }
    });
  });
}

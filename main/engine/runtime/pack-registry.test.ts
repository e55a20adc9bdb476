import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { loadPackRegistry, verifyPack } from './pack-registry.ts';
import { readPackModel } from './pack-model.ts';
import { migratePackManifest } from '../../../common/models/pack-manifest-migrate.ts';
import { detachedJobContext } from '../jobs/job-context.ts';
import { TextToImagePipeline } from '../pipelines/pipeline-text-to-image.ts';
import { SessionPool } from './session-pool.ts';
import './test-quiet-providers.ts';
import { pixelDigest } from '../testing/pixel-digest.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/tiny-pack', import.meta.url));

function copyPack(): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'lamina-packs-'));
  const dir = join(root, 'p');
  cpSync(FIXTURE, dir, { recursive: true });
  return { root, dir };
}

test('pack: the fixture pack (format 1) verifies and reads as a model from its migrated components', async () => {
  const pack = await verifyPack(FIXTURE);
  assert.equal(pack.id, 'fixture-tiny');
  const m = readPackModel(pack);
  assert.deepEqual(m.native, { width: 64, height: 64 });
  assert.deepEqual(m.latent, { channels: 8, vaeScaleFactor: 8, scalingFactor: 1.5, shiftFactor: 0.1 });
  assert.equal(m.scheduler.spacing, 'linspace');
  assert.equal(m.scheduler.timestepScale, 1);
  assert.equal(m.image.premultiplied, true);
  assert.deepEqual(m.image.range, [0, 1]);
  assert.equal(m.transformer.imageTokens, 16);
  assert.equal(m.codec.kind, 'rgba-vae');
  assert.equal(m.textEncoders[0].graph, 'text_encoder');
});

test('pack: tampered file and missing file fail with the file and the check named', async () => {
  const { root, dir } = copyPack();
  try {
    const buf = readFileSync(join(dir, 'vae_decoder.onnx'));
    buf[buf.length - 1] ^= 0xff;
    writeFileSync(join(dir, 'vae_decoder.onnx'), buf);
    await assert.rejects(verifyPack(dir), (e) => e instanceof LaminaError && e.code === 'bad_pack' && /vae_decoder\.onnx: sha256 mismatch/.test(e.message));
    rmSync(join(dir, 'vae_decoder.onnx'));
    await assert.rejects(verifyPack(dir), /vae_decoder\.onnx: listed in the manifest but missing/);
    const reg = await loadPackRegistry([root]);
    assert.equal(reg.summaries[0].ok, false);
    assert.throws(() => reg.resolve(), /no verified model pack/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('pack: a manifest without a pipelines list gets text-to-image from its graphs', async () => {
  const { root, dir } = copyPack();
  try {
    const man = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    delete man.pipelines;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(man));
    assert.deepEqual((await verifyPack(dir)).manifest.pipelines, ['text-to-image', 'layerbind', 'text-edit']);
    man.pipelines = [];
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(man));
    assert.deepEqual((await verifyPack(dir)).manifest.pipelines, [], 'an explicit list is kept');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('pack: a format 2 manifest on disk (the fixture migrated) verifies and generates the same bytes as its format 1 original', async () => {
  const { root, dir } = copyPack();
  const pool = new SessionPool();
  try {
    const v1 = await verifyPack(FIXTURE);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(migratePackManifest(JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')))));
    const v2 = await verifyPack(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).formatVersion, 2);
    assert.deepEqual(v2.manifest.components, v1.manifest.components);
    assert.deepEqual([...v2.manifest.pipelines].sort(), ['layerbind', 'text-edit', 'text-to-image']);
    const spec = { prompt: 'a large red star', width: 64, height: 64, seed: 3, steps: 3, guidance: 4, device: 'cpu' as const };
    const run = async (pack: typeof v1) => pixelDigest((await new TextToImagePipeline(pack, { pool, previewEvery: 0 }).run(spec, detachedJobContext())).layers[0]);
    assert.equal(await run(v2), await run(v1));
    // a transformer without an attention bias cannot run LayerBind, so the pack does not offer it
    const man = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    delete man.components.transformer.io.attentionBias;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(man));
    assert.deepEqual((await verifyPack(dir)).manifest.pipelines, ['text-to-image', 'text-edit']);
  } finally {
    await pool.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});

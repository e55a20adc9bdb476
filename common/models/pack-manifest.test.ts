import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PackManifest, PACK_FORMAT_VERSION } from './pack-manifest.ts';
import { ManifestMigrationError, migratePackManifest } from './pack-manifest-migrate.ts';

const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const fixtureV1 = read('../../main/engine/runtime/fixtures/tiny-pack/manifest.json');
const shippedV1 = read('../../models/lamina-tiny/manifest.json');

test('format 1 manifests (fixture, shipped) migrate to format 2 with every component declared', () => {
  for (const [raw, native, scaling] of [[fixtureV1, 64, 1.5], [shippedV1, 128, shippedV1.latent.scaling_factor]] as const) {
    const m = PackManifest.parse(migratePackManifest(raw));
    assert.equal(m.formatVersion, PACK_FORMAT_VERSION);
    assert.deepEqual(m.native, { width: native, height: native });
    const c = m.components;
    assert.deepEqual(c.tokenizers, { words: { type: 'word', file: 'world.json', maxLength: 48 } });
    assert.equal(c.textEncoders.length, 1);
    assert.deepEqual(c.textEncoders[0].io, { ids: 'input_ids', mask: 'attention_mask', hidden: 'text_embeds' });
    assert.equal(c.transformer.family, 'lamina-mmdit');
    assert.equal(c.transformer.patchSize, 2);
    assert.deepEqual(c.transformer.io, {
      latent: 'latent', timestep: 'timestep', text: 'text_embeds', output: 'velocity', textMask: 'text_mask', attentionBias: 'attn_bias',
      textKv: { k: 'text_k', v: 'text_v', kOverride: 'text_k_override', vOverride: 'text_v_override', mix: 'kv_mix' },
    });
    assert.ok(c.imageCodec.kind === 'rgba-vae');
    assert.equal(c.imageCodec.scaleFactor, 8);
    assert.equal(c.imageCodec.latentChannels, 8);
    assert.equal(c.imageCodec.scalingFactor, scaling);
    assert.deepEqual(c.imageCodec.image, { channels: 4, range: [0, 1], premultiplied: true });
    assert.deepEqual(
      { spacing: c.scheduler.spacing, timestepScale: c.scheduler.timestepScale, dynamicShift: c.scheduler.dynamicShift, guidance: c.scheduler.guidance, uncond: c.scheduler.uncondPrompt },
      { spacing: 'linspace', timestepScale: 1, dynamicShift: null, guidance: 'cfg', uncond: '' },
    );
    assert.equal(m.resolution.fixed, true);
    // nothing of format 1 is lost: its sections are kept under `about`
    assert.deepEqual(m.about.training, raw.training);
    // a format 2 manifest reads as itself
    assert.deepEqual(PackManifest.parse(migratePackManifest(JSON.parse(JSON.stringify(m)))), m);
  }
});

test('format 1 without a field its pack needs fails naming the field; an unknown format version fails', () => {
  const noPatch = structuredClone(fixtureV1);
  delete noPatch.transformer.patch_size;
  assert.throws(() => migratePackManifest(noPatch), (e) => e instanceof ManifestMigrationError && /transformer\.patch_size is missing/.test(e.message));
  const noSteps = structuredClone(fixtureV1);
  delete noSteps.scheduler.default_steps;
  assert.throws(() => migratePackManifest(noSteps), /scheduler\.default_steps is missing/);
  assert.throws(() => migratePackManifest({ ...fixtureV1, format_version: 7 }), /format version "7" is not one this Lamina reads/);
});

const migratedFixture = () => structuredClone(PackManifest.parse(migratePackManifest(fixtureV1))) as Record<string, any>;

test('format 2 expresses real packs: three text encoders with pooled outputs (SD3), a guidance embedding (FLUX), a pixel-space codec', () => {
  const sd3 = migratedFixture();
  sd3.graphs.clip_l = sd3.graphs.text_encoder;
  sd3.graphs.t5 = sd3.graphs.text_encoder;
  sd3.components.tokenizers = { clip: { type: 'clip-bpe', file: 'tokenizer/tokenizer.json', config: 'tokenizer/tokenizer_config.json', maxLength: 77 }, t5: { type: 't5-unigram', file: 'tokenizer_3/tokenizer.json', maxLength: 256 } };
  sd3.components.textEncoders = [
    { graph: 'clip_l', tokenizer: 'clip', io: { ids: 'input_ids', hidden: 'hidden', pooled: 'pooled' }, hiddenSize: 768, pooledSize: 768 },
    { graph: 'text_encoder', tokenizer: 'clip', io: { ids: 'input_ids', hidden: 'hidden', pooled: 'pooled' }, hiddenSize: 1280, pooledSize: 1280 },
    { graph: 't5', tokenizer: 't5', io: { ids: 'input_ids', hidden: 'hidden' }, hiddenSize: 4096 },
  ];
  sd3.components.transformer = { ...sd3.components.transformer, family: 'sd3', imageTokens: null, io: { latent: 'hidden_states', timestep: 'timestep', text: 'encoder_hidden_states', pooledText: 'pooled_projections', output: 'sample' } };
  sd3.components.imageCodec = { ...sd3.components.imageCodec, kind: 'rgb-vae', latentChannels: 16, image: { channels: 3, range: [-1, 1], premultiplied: false } };
  sd3.components.scheduler = { ...sd3.components.scheduler, spacing: 'diffusers', timestepScale: 1000, shift: 3 };
  sd3.resolution = { fixed: false, multipleOf: 16 };
  assert.equal(PackManifest.parse(sd3).components.textEncoders[0].pooledSize, 768);

  const flux = migratedFixture();
  flux.components.transformer = { ...flux.components.transformer, family: 'flux', io: { ...flux.components.transformer.io, guidance: 'guidance' } };
  flux.components.scheduler = { ...flux.components.scheduler, guidance: 'embedded', dynamicShift: { baseSeqLen: 256, maxSeqLen: 4096, baseShift: 0.5, maxShift: 1.15 } };
  assert.equal(PackManifest.parse(flux).components.scheduler.guidance, 'embedded');

  const pixels = migratedFixture();
  pixels.components.imageCodec = { kind: 'none', image: { channels: 4, range: [-1, 1], premultiplied: false } };
  assert.equal(PackManifest.parse(pixels).components.imageCodec.kind, 'none');
});

test('format 2 checks references: components name graphs and tokenizers that exist', () => {
  const bad = migratedFixture();
  bad.components.transformer.graph = 'dit';
  bad.components.textEncoders[0].tokenizer = 'bpe';
  const r = PackManifest.safeParse(bad);
  assert.ok(!r.success);
  const msgs = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.ok(msgs.includes('components.transformer.graph: graph "dit" is not in graphs'), msgs.join('\n'));
  assert.ok(msgs.includes('components.textEncoders.0.tokenizer: tokenizer "bpe" is not in components.tokenizers'), msgs.join('\n'));
  const family = migratedFixture();
  family.components.transformer.family = 'unet';
  assert.ok(!PackManifest.safeParse(family).success);
});

// LoRA adapters end to end on the fixture pack that ships one (make-fixture-pack.py --lora):
// the manifest declares it and verification covers its file; strength 0 is byte-identical
// to no adapter; the merged weights match the PyTorch LoRA forward (one transformer call
// and a whole CFG Euler run from the same noise, to 1e-4); the strength reaches the
// layer's provenance; unknown ids and bad files are clear errors.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GenerationSpec } from '../../../common/contract/generation-spec.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { detachedJobContext } from '../jobs/job-context.ts';
import { readNpyFloat32 } from '../runtime/npy.ts';
import { loadPackRegistry, verifyPack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { floatTensor } from '../runtime/tensors.ts';
import { FIXTURE_LORA_PACK_DIR as PACK_DIR, FIXTURE_LORA_REFERENCE_DIR as REF_DIR } from '../testing/test-packs.ts';
import { pixelDigest } from '../testing/pixel-digest.ts';
import { PackComponents } from './pack-components.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';
import '../runtime/test-quiet-providers.ts';

const pack = await verifyPack(PACK_DIR);
const ref = JSON.parse(readFileSync(join(REF_DIR, 'reference.json'), 'utf8')) as { prompt: string; steps: number; guidance: number; strength: number };
const spec = { prompt: ref.prompt, width: 64, height: 64, seed: 3, steps: ref.steps, guidance: ref.guidance, device: 'cpu' as const };
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

function copyPack(): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'lamina-lora-'));
  const dir = join(root, 'p');
  cpSync(PACK_DIR, dir, { recursive: true });
  return { root, dir };
}

async function generate(pool: SessionPool, extra: Partial<GenerationSpec> = {}, onDenoised?: (l: Float32Array) => void) {
  return new TextToImagePipeline(pack, { pool, onDenoised }).run({ ...spec, ...extra }, detachedJobContext());
}

test('lora: the manifest declares the adapter (file, targets, rank, alpha, default strength) and the pack summary lists it', async () => {
  const m = pack.manifest;
  assert.ok(!('placement' in m.components));
  const a = m.components.adapters['text-lora'];
  assert.equal(a.kind, 'lora');
  assert.equal(a.file, 'text-lora.safetensors');
  assert.deepEqual([a.rank, a.alpha, a.defaultStrength, a.blocks], [2, 4, 0.8, [1]]);
  assert.deepEqual(a.targets.map((t) => t.module), ['blocks.1.txt.qkv', 'blocks.1.img.qkv', 'blocks.1.img.proj']);
  assert.ok(a.file in m.files, 'the adapter file is checksummed like every pack file');
  const reg = await loadPackRegistry([join(PACK_DIR, '..')]);
  const summary = reg.summaries.find((s) => s.id === 'fixture-tiny-lora');
  assert.deepEqual(summary?.adapters, [{ id: 'text-lora', defaultStrength: 0.8, blocks: [1], description: 'random test adapter on block 1' }]);
});

test('lora: a changed adapter file fails verification naming it; an adapter whose file is not listed fails naming the field', async () => {
  const { root, dir } = copyPack();
  try {
    const path = join(dir, 'text-lora.safetensors');
    const buf = readFileSync(path);
    buf[buf.length - 1] ^= 0x01;
    writeFileSync(path, buf);
    await assert.rejects(verifyPack(dir), (e) => e instanceof LaminaError && e.code === 'bad_pack' && /text-lora\.safetensors: sha256 mismatch/.test(e.message));
    buf[buf.length - 1] ^= 0x01;
    writeFileSync(path, buf);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.adapters['text-lora'].file = 'other.safetensors';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await assert.rejects(verifyPack(dir), /components\.adapters\.text-lora\.file.*adapter file "other\.safetensors" is not in files/);
    manifest.adapters['text-lora'].file = 'text-lora.safetensors';
    manifest.adapters['text-lora'].rank = 0;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await assert.rejects(verifyPack(dir), /components\.adapters\.text-lora\.rank/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('lora: strength 0 is byte-identical to no adapter (the base session itself); a strength changes the image and is recorded', async () => {
  const pool = new SessionPool();
  try {
    const lat: Record<string, Float32Array> = {};
    const none = await generate(pool, {}, (l) => (lat.none = l.slice()));
    const zero = await generate(pool, { adapters: [{ id: 'text-lora', strength: 0 }] }, (l) => (lat.zero = l.slice()));
    assert.equal(pool.created, 3, 'strength 0 creates no session of its own');
    assert.deepEqual(lat.zero, lat.none);
    assert.equal(pixelDigest(zero.layers[0]), pixelDigest(none.layers[0]));
    const on = await generate(pool, { adapters: [{ id: 'text-lora', strength: 0.8 }] }, (l) => (lat.on = l.slice()));
    assert.equal(pool.created, 4, 'the merged transformer is its own session');
    assert.ok(maxAbsDiff(lat.on, lat.none) > 1e-3, 'the adapter changes the latents');
    assert.notEqual(pixelDigest(on.layers[0]), pixelDigest(none.layers[0]));
    assert.deepEqual(on.layers[0].provenance.params.adapters, { 'text-lora': { strength: 0.8 } });
    assert.equal(none.layers[0].provenance.params.adapters, undefined);
    await generate(pool, { adapters: [{ id: 'text-lora', strength: 0.8 }] });
    assert.equal(pool.created, 4, 'the same strength again reuses the merged session');
  } finally {
    await pool.dispose();
  }
});

test('lora: merged weights match the PyTorch LoRA forward (one transformer call, and a whole guided run from the same noise)', async () => {
  const pool = new SessionPool();
  try {
    const parts = new PackComponents(pack, pool, 'cpu');
    parts.useAdapters([{ id: 'text-lora', strength: ref.strength }]);
    const tr = await parts.graph('transformer');
    const feed = (name: string) => {
      const a = readNpyFloat32(join(REF_DIR, `${name}.npy`));
      return floatTensor(a.data, a.shape);
    };
    const out = await tr.run({ latent: feed('latent'), timestep: feed('timestep'), text_embeds: feed('text_embeds'), text_mask: feed('text_mask') }, { fetch: ['velocity'], bindings: { joint_len: 6 + parts.model.transformer.imageTokens! } });
    const want = readNpyFloat32(join(REF_DIR, 'velocity.npy')).data;
    const callDiff = maxAbsDiff(out.velocity.data as Float32Array, want);
    parts.release();
    let latents = new Float32Array(0);
    await generate(pool, { adapters: [{ id: 'text-lora', strength: ref.strength }], noise: join(REF_DIR, 'noise.npy') }, (l) => (latents = l.slice()));
    const runDiff = maxAbsDiff(latents, readNpyFloat32(join(REF_DIR, 'latents.npy')).data);
    let base = new Float32Array(0);
    await generate(pool, { noise: join(REF_DIR, 'noise.npy') }, (l) => (base = l.slice()));
    console.log(`lora parity: transformer call max |ORT merged - torch LoRA| = ${callDiff.toExponential(2)}, latents after ${ref.steps} guided steps ${runDiff.toExponential(2)} (adapter effect ${maxAbsDiff(latents, base).toExponential(2)})`);
    assert.ok(callDiff <= 1e-4, `transformer call differs by ${callDiff}`);
    assert.ok(runDiff <= 1e-4, `latents differ by ${runDiff}`);
    assert.ok(maxAbsDiff(latents, base) > 1e-2, 'the reference is not the base model');
  } finally {
    await pool.dispose();
  }
});

test('lora: an adapter the pack lacks is a bad request naming what it has; bad specs are rejected by the schema', async () => {
  const pool = new SessionPool();
  try {
    await assert.rejects(generate(pool, { adapters: [{ id: 'nope', strength: 1 }] }), (e) => e instanceof LaminaError && e.code === 'bad_request' && /no adapter "nope" \(adapters: text-lora\)/.test(e.message));
    assert.equal(pool.created, 0, 'rejected before any session loads');
    for (const adapters of [[{ id: 'text-lora', strength: -1 }], [{ id: 'text-lora', strength: 3 }], [{ id: 'text-lora', strength: 1 }, { id: 'text-lora', strength: 0.5 }]]) {
      assert.equal(GenerationSpec.safeParse({ ...spec, adapters }).success, false, JSON.stringify(adapters));
    }
  } finally {
    await pool.dispose();
  }
});

test('lora: an adapter whose file does not fit the graph fails when merging, naming the adapter and the target', async () => {
  const { root, dir } = copyPack();
  const pool = new SessionPool();
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.adapters['text-lora'].targets[0].initializer = manifest.adapters['text-lora'].targets[1].initializer;
    manifest.adapters['text-lora'].targets[0].out = 128;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const p = await verifyPack(dir);
    await assert.rejects(new TextToImagePipeline(p, { pool }).run({ ...spec, adapters: [{ id: 'text-lora', strength: 1 }] }, detachedJobContext()),
      (e) => e instanceof LaminaError && e.code === 'bad_pack' && /adapter "text-lora" .*target blocks\.1\.txt\.qkv: lora_A .* do not match rank 2, in 32, out 128/.test(e.message));
  } finally {
    await pool.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});

// Hostile packs are refused by verifyPack, before any ONNX Runtime session exists: a graph
// that needs a custom-op library, a native library in the folder, external data outside the
// pack, and graphs whose inputs or outputs are not what the manifest declares.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { buildOnnx, type BuildInitializer } from '../testing/onnx-build.ts';
import { loadPackRegistry, verifyPack } from './pack-registry.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/tiny-pack', import.meta.url));
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function copyPack(): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'lamina-hostile-'));
  roots.push(root);
  const dir = join(root, 'p');
  cpSync(FIXTURE, dir, { recursive: true });
  return { root, dir };
}

type Manifest = { graphs: Record<string, { file: string; inputs: { name: string; dtype: string; dims: (number | string)[] }[] }>; files: Record<string, { sha256: string; bytes: number }>; [k: string]: unknown };
const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const writeManifest = (dir: string, m: Manifest) => writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));

/** Puts `bytes` at `rel` in the pack and lists it with its true checksum (so only the new check can refuse it). */
function addFile(dir: string, rel: string, bytes: Uint8Array): void {
  writeFileSync(join(dir, rel), bytes);
  const m = readManifest(dir);
  m.files[rel] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  writeManifest(dir, m);
}

/** A vae_decoder with the manifest's own inputs and outputs, plus what the test adds. */
function decoderGraph(extra: { domain?: string; initializers?: BuildInitializer[] } = {}): Uint8Array {
  return buildOnnx({
    nodes: [{ op: extra.domain ? 'EvilDecode' : 'Identity', domain: extra.domain, inputs: ['latent'], outputs: ['image'] }],
    inputs: [{ name: 'latent', dims: ['batch', 8, 'latent_height', 'latent_width'] }],
    outputs: [{ name: 'image', dims: ['batch', 4, 'height', 'width'] }],
    initializers: extra.initializers,
  });
}

const badPack = (pattern: RegExp) => (e: unknown) => e instanceof LaminaError && e.code === 'bad_pack' && pattern.test(e.message);

test('control: a hand-built graph that matches the manifest passes (the checks do not refuse everything)', async () => {
  const { dir } = copyPack();
  addFile(dir, 'vae_decoder.onnx', decoderGraph());
  const pack = await verifyPack(dir);
  assert.equal(pack.id, 'fixture-tiny');
});

test('custom ops: a node from a domain ORT does not ship is refused, naming the op and domain', async () => {
  const { root, dir } = copyPack();
  addFile(dir, 'vae_decoder.onnx', decoderGraph({ domain: 'com.evil.ops' }));
  await assert.rejects(verifyPack(dir), badPack(/vae_decoder\.onnx: graph "vae_decoder" uses operator EvilDecode from domain "com\.evil\.ops", which needs a custom-op library/));
  const reg = await loadPackRegistry([root]);
  assert.equal(reg.summaries[0].ok, false);
  assert.throws(() => reg.resolve('p'), /model pack "p" failed verification: .*custom-op library/, 'a job asking for it fails with bad_pack, no session is created');
  assert.throws(() => reg.resolve(), /no verified model pack/);
});

test('custom ops: a native library in the pack folder, listed or not, and a manifest naming one are refused', async () => {
  const a = copyPack();
  addFile(a.dir, 'libevil_ops.so', new Uint8Array([0x7f, 0x45, 0x4c, 0x46]));
  await assert.rejects(verifyPack(a.dir), badPack(/libevil_ops\.so: a native library in a model pack/));
  const b = copyPack();
  writeFileSync(join(b.dir, 'ops.dll'), 'MZ');
  await assert.rejects(verifyPack(b.dir), badPack(/ops\.dll: a native library/), 'an unlisted library is refused too');
  const c = copyPack();
  const m = readManifest(c.dir);
  m.customOpsLibrary = 'libevil_ops.so';
  writeManifest(c.dir, m);
  await assert.rejects(verifyPack(c.dir), badPack(/"customOpsLibrary" asks for a custom-op library/));
});

test('external data: a location outside the pack (climbing, absolute, through a symlink) or unlisted is refused', async () => {
  const secret = join(mkdtempSync(join(tmpdir(), 'lamina-secret-')), 'weights.bin');
  roots.push(join(secret, '..'));
  writeFileSync(secret, new Uint8Array(16));
  const ext = (location: string) => decoderGraph({ initializers: [{ name: 'w', dims: [4], externalLocation: location }] });
  for (const location of ['../../../../etc/passwd', secret, '..\\..\\evil.bin']) {
    const { dir } = copyPack();
    addFile(dir, 'vae_decoder.onnx', ext(location));
    await assert.rejects(verifyPack(dir), badPack(/external data ".*" is outside the pack/), location);
  }
  const unlisted = copyPack();
  writeFileSync(join(unlisted.dir, 'w.bin'), new Uint8Array(16));
  addFile(unlisted.dir, 'vae_decoder.onnx', ext('w.bin'));
  await assert.rejects(verifyPack(unlisted.dir), badPack(/external data "w\.bin" is not listed in the manifest's files/));
  const linked = copyPack();
  symlinkSync(secret, join(linked.dir, 'w.bin'));
  const m = readManifest(linked.dir);
  m.files['w.bin'] = { sha256: createHash('sha256').update(readFileSync(secret)).digest('hex'), bytes: 16 };
  writeManifest(linked.dir, m);
  addFile(linked.dir, 'vae_decoder.onnx', ext('w.bin'));
  await assert.rejects(verifyPack(linked.dir), badPack(/external data "w\.bin" is outside the pack/), 'a listed symlink that leads out');
  // inside the pack and listed: accepted
  const fine = copyPack();
  addFile(fine.dir, 'w.bin', new Uint8Array(16));
  addFile(fine.dir, 'vae_decoder.onnx', ext('w.bin'));
  assert.equal((await verifyPack(fine.dir)).id, 'fixture-tiny');
});

test('graph inputs and outputs that do not match the manifest are refused, each mismatch named', async () => {
  const cases: [string, (m: Manifest) => void, RegExp][] = [
    ['renamed input', (m) => (m.graphs.vae_decoder.inputs[0].name = 'latents'), /the graph has input "latent" \(float32\[batch, 8, latent_height, latent_width\]\) that the manifest does not declare; the manifest declares input "latents" that the graph does not have/],
    ['dtype', (m) => (m.graphs.vae_decoder.inputs[0].dtype = 'float16'), /input "latent" is float32 in the graph, float16 in the manifest/],
    ['rank', (m) => (m.graphs.vae_decoder.inputs[0].dims = ['batch', 8, 'hw']), /input "latent" has rank 4 in the graph/],
    ['fixed dim', (m) => (m.graphs.vae_decoder.inputs[0].dims[1] = 16), /input "latent" dim 1 is 8 in the graph, 16 in the manifest/],
    ['extra input', (m) => m.graphs.transformer.inputs.push({ name: 'lora_scale', dtype: 'float32', dims: [1] }), /graph "transformer" does not match the manifest: the manifest declares input "lora_scale"/],
    ['dropped input', (m) => m.graphs.transformer.inputs.pop(), /graph "transformer" does not match the manifest: the graph has input/],
  ];
  for (const [what, mutate, pattern] of cases) {
    const { dir } = copyPack();
    const m = readManifest(dir);
    mutate(m);
    writeManifest(dir, m);
    await assert.rejects(verifyPack(dir), badPack(pattern), what);
  }
});

test('bytes that are not an ONNX model are refused as such', async () => {
  const { dir } = copyPack();
  addFile(dir, 'vae_decoder.onnx', new TextEncoder().encode('definitely not protobuf \xff\xff\xff'));
  await assert.rejects(verifyPack(dir), badPack(/vae_decoder\.onnx: not (a readable ONNX file|an ONNX model)/));
});

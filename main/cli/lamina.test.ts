import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lamina.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'lamina-cli-'));
function lamina(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LAMINA_HOME: tmp } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('info --json lists providers and packs', () => {
  const r = lamina('info', '--json');
  assert.equal(r.code, 0, r.err);
  const info = JSON.parse(r.out);
  assert.ok(info.providers.some((p: { name: string }) => p.name === 'cpu'));
  assert.ok(Array.isArray(info.packs));
  assert.match(info.version, /^\d+\.\d+\.\d+/);
});

test('errors exit non-zero with one line', () => {
  const unknown = lamina('frobnicate');
  assert.equal(unknown.code, 2);
  assert.equal(unknown.err.trim().split('\n').length, 1);
  assert.match(unknown.err, /unknown command "frobnicate"/);
  const missing = lamina('export', join(tmp, 'nope.psd'), '--png', join(tmp, 'o.png'));
  assert.equal(missing.code, 1);
  assert.equal(missing.err.trim().split('\n').length, 1);
  const noTarget = lamina('export', 'a.ora');
  assert.equal(noTarget.code, 2);
  assert.match(noTarget.err, /--psd OUT/);
  const badSpec = join(tmp, 'spec.json');
  writeFileSync(badSpec, JSON.stringify({ prompt: 'x', width: 64 }));
  const gen = lamina('generate', '--spec', badSpec, '--out', join(tmp, 'o.png'), '--json');
  assert.equal(gen.code, 1);
  assert.match(JSON.parse(gen.out).error.message, /height/);
  assert.equal(existsSync(join(tmp, 'o.png')), false);
});

test('the README\'s LayerBind spec runs as written: lamina generate --spec writes a PNG with the regions in provenance', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a JSON spec example');
  const specPath = join(tmp, 'readme-spec.json');
  writeFileSync(specPath, block[1]);
  const out = join(tmp, 'readme.png');
  const r = lamina('generate', '--spec', specPath, '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.layers[0].provenance.pipeline, 'layerbind');
  assert.deepEqual(res.layers[0].provenance.order, ['square', 'circle']);
  assert.deepEqual([res.layers[0].width, res.layers[0].height], [256, 256]);
  assert.ok(existsSync(out));
});

test('export refuses the input as its output, a mismatched extension, and an existing file without --force', async () => {
  const dir = mkdtempSync(join(tmp, 'export-'));
  const ora = join(dir, 'doc.ora');
  // a real one-layer project to convert
  const { Engine } = await import('../engine/engine.ts');
  const e = new Engine({ packDirs: [], recoveryDir: join(dir, 'recovery') });
  const d = await e.call('document.new', { width: 8, height: 8, name: 'doc' });
  const { imageId } = await e.call('document.putImage', { docId: d.docId, image: { width: 8, height: 8, rgba: new Uint8Array(8 * 8 * 4).fill(200) } });
  await e.call('document.mutate', { docId: d.docId, ops: [{ op: 'add', layer: { kind: 'raster', id: 'l1', name: 'grey', imageId, x: 0, y: 0, width: 8, height: 8 } }] });
  await e.call('document.save', { docId: d.docId, path: ora });
  await e.close();
  const before = readFileSync(ora);

  const self = lamina('export', ora, '--psd', ora);
  assert.equal(self.code, 2);
  assert.match(self.err, /refusing to export over the input file/);
  assert.equal(self.err.trim().split('\n').length, 1);
  const selfForced = lamina('export', ora, '--ora', ora, '--force');
  assert.equal(selfForced.code, 2, '--force never allows writing over the input');
  assert.deepEqual(readFileSync(ora), before, 'the project is untouched');

  const wrongExt = lamina('export', ora, '--ora', join(dir, 'x.psd'));
  assert.equal(wrongExt.code, 2);
  assert.match(wrongExt.err, /ORA export must go to a file ending in \.ora \(got "x\.psd"\)/);
  assert.equal(existsSync(join(dir, 'x.psd')), false);
  assert.match(lamina('export', ora, '--psd', join(dir, 'x.png')).err, /ending in \.psd/);

  const psd = join(dir, 'out.psd');
  assert.equal(lamina('export', ora, '--psd', psd).code, 0);
  const again = lamina('export', ora, '--psd', psd);
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists: pass --force/);
  const forced = lamina('export', ora, '--psd', psd, '--force');
  assert.equal(forced.code, 0, forced.err);
  assert.equal(readFileSync(psd).subarray(0, 4).toString('latin1'), '8BPS', 'a real PSD');
});

test('a spec may leave out seed (random, reported) and steps (the pack\'s default); provider fallbacks are printed only with --verbose', () => {
  const specPath = join(tmp, 'minimal-spec.json');
  writeFileSync(specPath, JSON.stringify({ prompt: 'a large red circle', width: 128, height: 128 }));
  const quiet = lamina('generate', '--spec', specPath, '--out', join(tmp, 'minimal.png'), '--json');
  assert.equal(quiet.code, 0, quiet.err);
  const res = JSON.parse(quiet.out);
  assert.equal(res.seedRandom, true);
  assert.ok(Number.isInteger(res.seed) && res.seed >= 0 && res.seed < 2 ** 32);
  assert.equal(res.layers[0].provenance.seed, res.seed, 'the reported seed is the one that made the picture');
  assert.equal(res.steps, 20, 'lamina-tiny\'s default_steps');
  assert.equal(res.layers[0].provenance.steps, 20);
  assert.doesNotMatch(quiet.err, /execution provider|Vulkan|WebGPU/i, `stderr without --verbose: ${quiet.err}`);
  const human = lamina('generate', '--spec', specPath, '--out', join(tmp, 'minimal2.png'));
  assert.match(human.out, /seed \d+, random, 20 steps, cpu/);
  const verbose = lamina('generate', '--spec', specPath, '--out', join(tmp, 'minimal3.png'), '--verbose');
  assert.equal(verbose.code, 0, verbose.err);
  if (/, cpu, /.test(verbose.out)) assert.match(verbose.err, /execution provider (cuda|webgpu) unavailable/, 'with --verbose the skipped providers are said');
});

test('lamina generate --spec with "init": {image, mask, strength} regenerates the masked area; pixels outside come back unchanged', async () => {
  const { default: sharp } = await import('sharp');
  const dir = mkdtempSync(join(tmp, 'init-'));
  const W = 160, H = 128;
  const px = Buffer.alloc(W * H * 4);
  const mask = Buffer.alloc(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 4;
    px[i] = (x * 3) & 255; px[i + 1] = (y * 5) & 255; px[i + 2] = 200; px[i + 3] = 255;
    const v = x >= 40 && x < 110 && y >= 30 && y < 90 ? 255 : 0;
    mask[i] = mask[i + 1] = mask[i + 2] = v; mask[i + 3] = 255;
  }
  await sharp(px, { raw: { width: W, height: H, channels: 4 } }).png().toFile(join(dir, 'in.png'));
  await sharp(mask, { raw: { width: W, height: H, channels: 4 } }).png().toFile(join(dir, 'mask.png'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({ prompt: 'a large red circle', seed: 5, steps: 8, init: { image: 'in.png', mask: 'mask.png', strength: 0.6 } }));
  const out = join(dir, 'out.png');
  const r = lamina('generate', '--spec', join(dir, 'spec.json'), '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.deepEqual([res.layers[0].width, res.layers[0].height], [W, H], 'the size comes from the init image');
  assert.deepEqual(res.layers[0].provenance.params.init, { strength: 0.6, masked: true, startStep: 3 });
  const { data } = await sharp(out).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let outside = 0, inside = 0;
  for (let p = 0; p < W * H; p++) {
    const same = data.readUInt32LE(p * 4) === px.readUInt32LE(p * 4);
    if (mask[p * 4] === 0 && !same) outside++;
    if (mask[p * 4] > 0 && !same) inside++;
  }
  assert.equal(outside, 0, 'every pixel outside the mask is unchanged');
  assert.ok(inside > 70 * 60 * 0.5, `${inside} masked pixels regenerated`);
});

test('pack convert: usage errors, a folder that is not a diffusers folder, and Python without the requirements each fail with one clear line', () => {
  const noArgs = lamina('pack', 'convert');
  assert.equal(noArgs.code, 2);
  assert.match(noArgs.err, /usage: lamina pack convert FOLDER --out PACK/);
  const notDiffusers = lamina('pack', 'convert', tmp, '--out', join(tmp, 'p'));
  assert.equal(notDiffusers.code, 1);
  assert.match(notDiffusers.err, /no model_index\.json/);
  writeFileSync(join(tmp, 'model_index.json'), '{"_class_name": "FluxPipeline"}');
  const r = spawnSync(process.execPath, [BIN, 'pack', 'convert', tmp, '--out', join(tmp, 'p')], { encoding: 'utf8', env: { ...process.env, LAMINA_HOME: tmp, LAMINA_PYTHON: join(tmp, 'no-python') } });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /needs Python with the recipe requirements: .*pip install -r .*requirements\.txt/);
});

test('lamina generate --spec with "batch": one PNG per variation named by its distinct seed, the seeds reported; .ora keeps them as layers and history', async () => {
  const specPath = join(tmp, 'batch-spec.json');
  writeFileSync(specPath, JSON.stringify({ prompt: 'a large red circle', width: 128, height: 128, seed: 500, steps: 4, batch: 3 }));
  const r = lamina('generate', '--spec', specPath, '--out', join(tmp, 'batch.png'), '--json');
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.deepEqual(res.seeds, [500, 501, 502]);
  assert.deepEqual(res.written.map((p: string) => p.split('/').at(-1)), ['batch-500.png', 'batch-501.png', 'batch-502.png']);
  const shots = res.written.map((p: string) => readFileSync(p));
  assert.ok(!shots[0].equals(shots[1]) && !shots[1].equals(shots[2]), 'each file is its own variation');
  const human = lamina('generate', '--spec', specPath, '--out', join(tmp, 'batch.ora'));
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, /seeds 500, 501, 502, 4 steps/);
  const { unzipSync } = await import('fflate');
  const manifest = JSON.parse(Buffer.from(unzipSync(readFileSync(join(tmp, 'batch.ora')))['lamina/document.json']).toString('utf8'));
  assert.deepEqual(manifest.document.layers.map((l: { provenance: { seed: number } }) => l.provenance.seed), [500, 501, 502]);
  assert.deepEqual(manifest.document.generations.map((e: { spec: { seed: number } }) => e.spec.seed), [500, 501, 502]);
});

test('lamina decompose: a PNG stack with the background at the bottom, no overwrite without --force, one-line errors for a bad mask', async () => {
  const sharp = (await import('sharp')).default;
  const fix = join(import.meta.dirname, '..', 'engine', 'pipelines', 'fixtures', 'decompose');
  const dir = mkdtempSync(join(tmp, 'decompose-'));
  const stack = join(dir, 'stack');
  const r = lamina('decompose', '--image', join(fix, '1-image.png'), '--mask', join(fix, '1-mask.png'), '--method', 'inpaint', '--out', stack, '--json');
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.method, 'inpaint');
  assert.ok(res.notes.some((n: string) => /inpaint method/.test(n)), 'the output says the shadow stays behind');
  const manifest = JSON.parse(readFileSync(join(stack, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.layers.map((l: { name: string; file: string }) => [l.file, l.name]), [['001-Background.png', 'Background'], ['002-Object.png', 'Object']]);
  const bg = await sharp(join(stack, '001-Background.png')).metadata();
  assert.deepEqual([bg.width, bg.height], [128, 128], 'at the input size');
  const again = lamina('decompose', '--image', join(fix, '1-image.png'), '--box', '40,40,30,30', '--out', stack);
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists: pass --force/);
  const small = join(dir, 'small.png');
  await sharp({ create: { width: 64, height: 32, channels: 3, background: '#fff' } }).png().toFile(small);
  const out = join(dir, 'bad.ora');
  const e = lamina('decompose', '--image', join(fix, '1-image.png'), '--mask', small, '--out', out);
  assert.equal(e.code, 1, e.err);
  assert.equal(e.err.trim().split('\n').length, 1);
  assert.match(e.err, /the mask is 64x32 px but the image is 128x128 px/);
  assert.equal(existsSync(out), false);
  const both = lamina('decompose', '--image', join(fix, '1-image.png'), '--mask', small, '--box', '1,1,2,2', '--out', join(dir, 'x.ora'));
  assert.equal(both.code, 2);
  assert.match(both.err, /exactly one of --mask/);
});

test('lamina decompose --all (fixture decomposition model): a PNG stack, background first, then the objects back to front, at most --max-objects; usage errors', async () => {
  const fix = join(import.meta.dirname, '..', 'engine', 'pipelines', 'fixtures', 'decompose');
  const packs = join(import.meta.dirname, '..', 'engine', 'runtime', 'fixtures');
  const dir = mkdtempSync(join(tmp, 'decompose-all-'));
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'decompose', ...args], { encoding: 'utf8', env: { ...process.env, LAMINA_HOME: tmp, LAMINA_PACKS: packs } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const stack = join(dir, 'stack');
  const r = run('--image', join(fix, '4-image.png'), '--all', '--max-objects', '2', '--pack', 'fixture-tiny-decompose', '--out', stack, '--json');
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.method, 'model');
  assert.ok(res.objects >= 1 && res.objects <= 2, `${res.objects} objects`);
  const manifest = JSON.parse(readFileSync(join(stack, 'manifest.json'), 'utf8'));
  const names = manifest.layers.map((l: { name: string }) => l.name);
  assert.equal(names[0], 'Background', 'the bottom layer is the background');
  assert.deepEqual(names.slice(1), res.objects === 1 ? ['Object 1'] : ['Object 1 (back)', 'Object 2 (front)']);
  assert.equal(res.stopped === 'cap', res.objects === 2);
  const usage = [
    [['--image', join(fix, '4-image.png'), '--all', '--max-objects', '9', '--out', join(dir, 'a.ora')], /--max-objects is a whole number from 1 to 8/],
    [['--image', join(fix, '4-image.png'), '--all', '--method', 'inpaint', '--out', join(dir, 'b.ora')], /--all finds the objects with the model/],
    [['--image', join(fix, '4-image.png'), '--box', '1,1,4,4', '--max-objects', '2', '--out', join(dir, 'c.ora')], /--max-objects goes with --all/],
    [['--image', join(fix, '4-image.png'), '--all', '--box', '1,1,4,4', '--out', join(dir, 'd.ora')], /exactly one of --mask/],
  ] as const;
  for (const [args, msg] of usage) {
    const e = run(...args);
    assert.equal(e.code, 2, e.err);
    assert.match(e.err, msg);
  }
});

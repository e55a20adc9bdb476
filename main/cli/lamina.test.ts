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

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { unzipSync } from 'fflate';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lamina.mjs');
const PACKS = join(import.meta.dirname, '..', 'engine', 'runtime', 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'lamina-text-edit-'));
function lamina(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LAMINA_HOME: tmp, LAMINA_PACKS: PACKS } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** `lamina generate` of the red-star prompt on the fixture pack into `out` (.ora or .png). */
function generate(out: string, seed: number, steps: number): void {
  const spec = join(tmp, `spec-${seed}.json`);
  writeFileSync(spec, JSON.stringify({ prompt: 'a large red star on a blue background', width: 64, height: 64, seed, steps, packId: 'fixture-tiny', device: 'cpu' }));
  const gen = lamina('generate', '--spec', spec, '--out', out, '--json');
  assert.equal(gen.code, 0, gen.err);
}
const layersOf = (ora: string) => JSON.parse(Buffer.from(unzipSync(readFileSync(ora))['lamina/document.json']).toString('utf8')).document.layers;

test('lamina text-edit: the layer by index or name, edited in place into .ora (provenance records it) or .png; one-line errors', async () => {
  const src = join(tmp, 'src.ora');
  generate(src, 7, 3);
  const [layer] = layersOf(src);

  const out = join(tmp, 'edited.ora');
  const r = lamina('text-edit', '--in', src, '--layer', '0', '--from', 'red', '--to', 'green', '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.deepEqual([res.prompt, res.blocks, res.startStep, res.layer.name], ['a large green star on a blue background', [0, 1], 0, layer.name]);
  const [edited] = layersOf(out);
  assert.equal(edited.id, layer.id);
  assert.equal(layer.name, 'a large red star on a blue background · seed 7');
  assert.equal(edited.name, 'a large green star on a blue background · seed 7', 'a layer named after its prompt is renamed after the edited one');
  assert.equal(res.layer.renamed, edited.name);
  assert.equal(edited.provenance.task, 'text-edit');
  assert.deepEqual(edited.provenance.params.textEdit, { from: 'red', to: 'green', prompt: 'a large green star on a blue background', blocks: [0, 1], startStep: 0 });

  const png = join(tmp, 'edited.png');
  const human = lamina('text-edit', '--in', src, '--layer', layer.name, '--from', 'red', '--to', 'green', '--blocks', '1', '--out', png);
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, /"red" -> "green", blocks 1 from step 0/);
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.width, meta.height], [64, 64]);

  const fails = [
    { args: ['--layer', '3'], code: 2, message: /--layer 3: the document has 1 top-level layer \(0 "/ },
    { args: ['--layer', 'Nope'], code: 2, message: /--layer "Nope": no layer has that name/ },
    { args: ['--from', 'zebra'], code: 1, message: /"zebra" is not a word of the layer's prompt "a large red star on a blue background"/ },
    { args: ['--to', 'gren'], code: 1, message: /"gren" \(closest: green/ },
    { args: ['--blocks', '0,x'], code: 2, message: /--blocks is a comma list/ },
    { args: ['--blocks', '7'], code: 1, message: /block 7 out of range: model pack "fixture-tiny" has 2 joint blocks/ },
  ];
  for (const f of fails) {
    const base: Record<string, string> = { '--layer': '0', '--from': 'red', '--to': 'green' };
    for (let i = 0; i < f.args.length; i += 2) base[f.args[i]] = f.args[i + 1];
    const bad = join(tmp, 'bad.ora');
    const e = lamina('text-edit', '--in', src, ...Object.entries(base).flat(), '--out', bad);
    assert.equal(e.code, f.code, `${f.args.join(' ')}: ${e.err}`);
    assert.equal(e.err.trim().split('\n').length, 1, e.err);
    assert.match(e.err, f.message);
    assert.equal(existsSync(bad), false);
  }
  const noOut = lamina('text-edit', '--in', src, '--layer', '0', '--from', 'red');
  assert.equal(noOut.code, 2);
  assert.match(noOut.err, /text-edit needs --in doc.ora\|img.png, --layer NAME\|INDEX \(unless the document has one layer\), --from OLD, --to NEW and --out/);
});

test('lamina text-edit --in img.png: a PNG Lamina wrote from one generated layer carries its provenance (no --layer needed); a plain PNG is a one-line error', async () => {
  const src = join(tmp, 'gen.png');
  generate(src, 9, 2);
  const out = join(tmp, 'gen-edited.png');
  const r = lamina('text-edit', '--in', src, '--from', 'red', '--to', 'green', '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).prompt, 'a large green star on a blue background');
  const [a, b] = await Promise.all([src, out].map((p) => sharp(p).raw().toBuffer()));
  assert.notDeepEqual(a, b, 'new pixels');
  // the edited PNG records the edit: it edits again, from the same generation
  const again = lamina('text-edit', '--in', out, '--from', 'green', '--to', 'blue', '--out', join(tmp, 'again.png'), '--json');
  assert.equal(again.code, 0, again.err);
  assert.equal(JSON.parse(again.out).prompt, 'a large blue star on a blue background');
  // a PNG without Lamina metadata
  const plain = join(tmp, 'plain.png');
  await sharp({ create: { width: 64, height: 64, channels: 4, background: '#ff0000' } }).png().toFile(plain);
  const bad = lamina('text-edit', '--in', plain, '--from', 'red', '--to', 'green', '--out', join(tmp, 'plain-out.png'));
  assert.equal(bad.code, 2);
  assert.equal(bad.err.trim().split('\n').length, 1, bad.err);
  assert.match(bad.err, /plain\.png has no Lamina metadata \(no generation record\): text-edit re-runs the generation that made a picture/);
  assert.equal(existsSync(join(tmp, 'plain-out.png')), false);
});

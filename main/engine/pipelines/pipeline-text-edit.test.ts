import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UpdatePixelsResult } from '../../../common/contract/task-results.ts';
import type { GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import type { JobInputs } from '../jobs/job-protocol.ts';
import { pixelDigest } from '../testing/pixel-digest.ts';
import { realPackPythonMissing, tinyRealPack } from '../testing/real-packs.ts';
import { loadFixturePack, loadShippedPack } from '../testing/test-packs.ts';
import { readPackModel } from '../runtime/pack-model.ts';
import { verifyPack, type Pack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import '../runtime/test-quiet-providers.ts';
import { collectingContext } from './conformance.ts';
import { findPipeline } from './pipeline-registry.ts';
import { replaceWord, TextEditPipeline } from './pipeline-text-edit.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';

const fixture = await loadFixturePack();
const shipped = await loadShippedPack();
const pythonMissing = realPackPythonMissing();
const sd3 = pythonMissing ? { skip: pythonMissing } : await verifyPack(tinyRealPack('sd3').pack);
const flux = pythonMissing ? { skip: pythonMissing } : await verifyPack(tinyRealPack('flux').pack);

/** Mean absolute difference of two RGBA buffers, per byte (0-255). */
const meanDiff = (a: Uint8Array, b: Uint8Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
};

const CASES: { name: string; pack: Pack | { skip: string }; spec: GenerationSpecInput; from: string; to: string }[] = [
  { name: 'fixture-tiny', pack: fixture, spec: { prompt: 'a large red star on a blue background', width: 64, height: 64, seed: 7, steps: 4, guidance: 4, device: 'cpu' }, from: 'red', to: 'green' },
  { name: 'lamina-tiny', pack: shipped, spec: { prompt: 'a large red star on a blue background', width: 128, height: 128, seed: 7, steps: 6, guidance: 4, device: 'cpu' }, from: 'red', to: 'green' },
  { name: 'tiny-sd3 (converted)', pack: sd3, spec: { prompt: 'a large red circle', width: 32, height: 32, seed: 3, steps: 4, guidance: 4, device: 'cpu' }, from: 'red', to: 'blue' },
  { name: 'tiny-flux (converted)', pack: flux, spec: { prompt: 'a large red circle', width: 32, height: 32, seed: 3, steps: 4, guidance: 3.5, device: 'cpu' }, from: 'red', to: 'blue' },
];

for (const c of CASES) {
  const skip = 'skip' in c.pack ? c.pack.skip : undefined;
  describe(`text-edit on ${c.name}`, { skip }, () => {
    const pack = c.pack as Pack;
    const pool = new SessionPool();
    let source: Awaited<ReturnType<TextToImagePipeline['run']>>['layers'][0];
    let inputs: JobInputs;
    const edit = async (spec: Record<string, unknown>, given: JobInputs = inputs) => new TextEditPipeline(pack, { pool }).run({ layerId: 'L', device: 'cpu', ...spec }, collectingContext().ctx, given);

    test('the source generation', async () => {
      source = (await new TextToImagePipeline(pack, { pool }).run(c.spec, collectingContext().ctx)).layers[0];
      inputs = { layer: { image: { width: source.width, height: source.height, data: source.rgba }, x: 0, y: 0, name: 'L' }, provenance: source.provenance };
    });

    test('patching in the prompt\'s own K/V (from = to) in every block is a no-op, byte for byte', async () => {
      const r = await edit({ from: c.from, to: c.from });
      assert.equal(pixelDigest(r.image), pixelDigest(source));
      assert.equal(r.timings.network_calls, 2 * (c.spec.steps as number), 'the patch prompt ran at every step');
    });

    test('no blocks: no change; every block with another word: a change; one block changes less than all', async () => {
      const none = await edit({ from: c.from, to: c.to, blocks: [] });
      assert.equal(pixelDigest(none.image), pixelDigest(source));
      const all = await edit({ from: c.from, to: c.to });
      const one = await edit({ from: c.from, to: c.to, blocks: [0] });
      const late = await edit({ from: c.from, to: c.to, startStep: (c.spec.steps as number) - 1 });
      const dAll = meanDiff(all.image.rgba, source.rgba);
      const dOne = meanDiff(one.image.rgba, source.rgba);
      const dLate = meanDiff(late.image.rgba, source.rgba);
      console.log(`# ${c.name}: "${c.from}" -> "${c.to}" mean |Δ| per byte: all blocks ${dAll.toFixed(3)}, block 0 only ${dOne.toFixed(3)}, all blocks from the last step ${dLate.toFixed(3)}`);
      assert.notEqual(pixelDigest(all.image), pixelDigest(source), 'patching every block changes the picture');
      assert.ok(dAll > 0);
      assert.ok(dOne < dAll, `one block (${dOne}) changes less than every block (${dAll})`);
      assert.ok(dLate < dAll, `patching from the last step (${dLate}) changes less than from step 0 (${dAll})`);
      const parsed = UpdatePixelsResult.safeParse(all);
      assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
      assert.equal(all.layerId, 'L');
      assert.deepEqual(all.image.provenance.params.textEdit, { from: c.from, to: c.to, prompt: (c.spec.prompt as string).replace(c.from, c.to), blocks: Array.from({ length: readPackModel(pack).transformer.blockCount }, (_, i) => i), startStep: 0 });
      assert.equal(all.image.provenance.task, 'text-edit');
      assert.equal(all.image.provenance.prompt, c.spec.prompt, 'the source prompt stays the record of the generation');
    });

    test('a box keeps the pixels outside it', async () => {
      const w = source.width, h = source.height;
      const r = await edit({ from: c.from, to: c.to, box: [0, 0, w / 2, h] });
      for (let y = 0; y < h; y++) {
        const p = (y * w + w / 2) * 4;
        assert.deepEqual(r.image.rgba.subarray(p, (y + 1) * w * 4), source.rgba.subarray(p, (y + 1) * w * 4), `row ${y} right of the box`);
      }
      assert.ok(meanDiff(r.image.rgba, source.rgba) > 0);
    });

    test('an edited layer edits again: A -> B, then B -> C gives the pixels of one edit A -> C; the record keeps both edits', async () => {
      const again = c.to === 'blue' ? 'green' : 'blue';
      const first = await edit({ from: c.from, to: c.to });
      const second = await edit({ from: c.to, to: again }, { ...inputs, layer: { ...inputs.layer!, image: { width: first.image.width, height: first.image.height, data: first.image.rgba } }, provenance: first.image.provenance });
      const direct = await edit({ from: c.from, to: again });
      assert.equal(pixelDigest(second.image), pixelDigest(direct.image));
      assert.notEqual(pixelDigest(second.image), pixelDigest(first.image));
      const rec = second.image.provenance.params.textEdit as { from: string; to: string; prompt: string; previous?: { from: string; to: string } };
      assert.deepEqual([rec.from, rec.to, rec.previous?.from, rec.previous?.to], [c.to, again, c.from, c.to]);
      assert.equal(rec.prompt, replaceWord(c.spec.prompt as string, c.from, again));
      assert.equal(second.image.provenance.prompt, c.spec.prompt, 'the generation\'s own prompt stays the source');
      await assert.rejects(edit({ from: c.from, to: again }, { ...inputs, provenance: first.image.provenance }), new RegExp(`"${c.from}" is not a word of the layer's prompt`));
    });

    test('clear errors', async () => {
      await assert.rejects(edit({ from: 'zebra', to: c.to }), (e: Error & { code?: string }) => e.code === 'bad_request' && /"zebra" is not a word of the layer's prompt/.test(e.message));
      await assert.rejects(edit({ from: c.from, to: c.to, blocks: [99] }), /block 99 out of range/);
      await assert.rejects(edit({ from: c.from, to: c.to, startStep: 99 }), /startStep 99 is past/);
      await assert.rejects(edit({ from: c.from, to: c.to }, { ...inputs, provenance: undefined }), /layer "L" has no generation provenance/);
      await assert.rejects(edit({ from: c.from, to: c.to, text: 'x' }), /text/);
    });

    test('dispose', async () => {
      await pool.dispose();
    });
  });
}

test('text-edit on fixture-tiny: registered; an unknown word names the closest; the token count must stay', async () => {
  assert.ok(findPipeline(fixture, 'text-edit') instanceof TextEditPipeline);
  const pool = new SessionPool();
  try {
    const spec = { prompt: 'a large red star on a blue background', width: 64, height: 64, seed: 7, steps: 2, guidance: 4, device: 'cpu' as const };
    const src = (await new TextToImagePipeline(fixture, { pool }).run(spec, collectingContext().ctx)).layers[0];
    const inputs: JobInputs = { layer: { image: { width: 64, height: 64, data: src.rgba }, x: 0, y: 0, name: 'L' }, provenance: src.provenance };
    const run = (to: string) => new TextEditPipeline(fixture, { pool }).run({ layerId: 'L', from: 'red', to }, collectingContext().ctx, inputs);
    await assert.rejects(run('gren'), /edited prompt: .*"gren" \(closest: green/);
    await assert.rejects(run('small green'), /the edited prompt has \d+ text tokens and the original \d+/);
    // the pack's own default block list (transformer.textEditBlocks), when the spec names none
    const m = fixture.manifest as { components: { transformer: object } };
    const listed = { ...fixture, manifest: { ...fixture.manifest, components: { ...m.components, transformer: { ...m.components.transformer, textEditBlocks: [1] } } } } as Pack;
    const r = await new TextEditPipeline(listed, { pool }).run({ layerId: 'L', from: 'red', to: 'green' }, collectingContext().ctx, inputs);
    assert.deepEqual((r.image.provenance.params.textEdit as { blocks: number[] }).blocks, [1]);
  } finally {
    await pool.dispose();
  }
});

test('text-edit renames a layer still named after its prompt (and after each later edit); a name the designer gave stays', async () => {
  const pool = new SessionPool();
  try {
    const spec = { prompt: 'a large red star on a blue background', width: 64, height: 64, seed: 7, steps: 2, guidance: 4, device: 'cpu' as const };
    const src = (await new TextToImagePipeline(fixture, { pool }).run(spec, collectingContext().ctx)).layers[0];
    assert.equal(src.name, 'a large red star on a blue background · seed 7');
    const layer = (name: string, data = src.rgba) => ({ image: { width: 64, height: 64, data }, x: 0, y: 0, name });
    const run = (from: string, to: string, inputs: JobInputs) => new TextEditPipeline(fixture, { pool }).run({ layerId: 'L', from, to }, collectingContext().ctx, inputs);
    const first = await run('red', 'green', { layer: layer(src.name), provenance: src.provenance });
    assert.equal(first.name, 'a large green star on a blue background · seed 7');
    const second = await run('green', 'pink', { layer: layer(first.name!, first.image.rgba), provenance: first.image.provenance });
    assert.equal(second.name, 'a large pink star on a blue background · seed 7');
    const mine = await run('red', 'green', { layer: layer('My star'), provenance: src.provenance });
    assert.equal(mine.name, undefined, 'a renamed layer keeps its name');
    assert.ok(UpdatePixelsResult.safeParse(first).success);
  } finally {
    await pool.dispose();
  }
});

test('replaceWord: whole words, any case, every occurrence; a missing word is a one-line bad_request', () => {
  assert.equal(replaceWord('a red star and a Red circle', 'red', 'blue'), 'a blue star and a blue circle');
  assert.equal(replaceWord('a reddish star, red.', 'red', 'blue'), 'a reddish star, blue.');
  assert.equal(replaceWord('a large red star', 'red star', 'blue heart'), 'a large blue heart');
  assert.throws(() => replaceWord('a reddish star', 'red', 'blue'), /"red" is not a word of the layer's prompt "a reddish star"/);
});

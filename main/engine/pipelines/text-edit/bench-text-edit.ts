// `npm run bench -- text-edit`: one text edit (K/V patching, every block, from step 0)
// against one plain text-to-image of the same layer (same pack, size, seed, steps,
// guidance), same process, warm sessions, on the CPU: text_edit_ratio = median edit ms /
// median text-to-image ms. The edit runs the transformer twice a step (the edited prompt
// for its K/V, then the patched generation), so ~2 is the expected ratio. On the shipped
// models/lamina-tiny when it is built, else the random-weight fixture (`pack` says which).
// Prints one JSON object.
import { fileURLToPath } from 'node:url';
import { readPackModel } from '../../runtime/pack-model.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { loadFixturePack, loadShippedPack } from '../../testing/test-packs.ts';
import { TextEditPipeline } from '../pipeline-text-edit.ts';
import { TextToImagePipeline } from '../pipeline-text-to-image.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export async function runTextEditBench(opts: { runs?: number; log?: (l: string) => void } = {}) {
  const log = opts.log ?? (() => {});
  const runs = opts.runs ?? 5;
  const shipped = await loadShippedPack();
  const pack = 'skip' in shipped ? await loadFixturePack() : shipped;
  const model = readPackModel(pack);
  const { width, height } = model.native;
  const steps = model.scheduler.defaultSteps;
  const guidance = model.scheduler.defaultGuidance;
  const spec = { prompt: 'a large red star on a blue background', width, height, seed: 1, steps, guidance, device: 'cpu' as const };
  const pool = new SessionPool();
  const ctx = { signal: new AbortController().signal, progress: () => {} };
  try {
    const generator = new TextToImagePipeline(pack, { pool, previewEvery: 0 });
    const editor = new TextEditPipeline(pack, { pool });
    const source = (await generator.run(spec, ctx)).layers[0]; // also warms the sessions
    const inputs = { layer: { image: { width, height, data: source.rgba }, x: 0, y: 0, name: 'bench' }, provenance: source.provenance };
    const timed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const edit = () => editor.run({ layerId: 'bench', from: 'red', to: 'green' }, ctx, inputs);
    const generate = () => generator.run(spec, ctx);
    await edit(); // warm
    const eMs: number[] = [], gMs: number[] = [];
    for (let k = 0; k < runs; k++) {
      eMs.push(await timed(edit));
      gMs.push(await timed(generate));
    }
    log(`text-edit: ${median(eMs).toFixed(0)} ms vs text-to-image ${median(gMs).toFixed(0)} ms at ${width}x${height}, ${steps} steps`);
    return {
      pack: `${pack.id} ${model.version}${'skip' in shipped ? ` (fixture: ${shipped.skip})` : ''}`,
      size: [width, height], steps, guidance, runs, blocks: model.transformer.blockCount,
      text_edit_ms: round(median(eMs)), text_to_image_ms: round(median(gMs)),
      text_edit_ratio: round(median(eMs) / median(gMs), 2),
      provider: 'cpu',
    };
  } finally {
    await pool.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await runTextEditBench({ log: (l) => process.stderr.write(`${l}\n`) })));
}

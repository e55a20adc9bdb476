// `npm run bench -- decompose`: one decomposition with the model method against one plain
// text-to-image at the same size and step count, same process, warm sessions, on the CPU:
// - decompose_ratio = median model decomposition ms / median text-to-image ms (issue 16
//   asks for <= 2). With models/lamina-decomp (a pack that lists `decompose`) against the
//   shipped text-to-image pack; without it, the random-weight fixture decomposition pack
//   against the fixture text-to-image pack (the same graph shapes' cost, not a trained
//   model's): `packs` says which ran.
// - inpaint_ms: the inpaint method (no model) on a 128 px world scene and at 512 px.
// Prints one JSON object.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../../imaging/image-codec.ts';
import { resample } from '../../imaging/resample.ts';
import { loadPackRegistry, verifyPack, type Pack } from '../../runtime/pack-registry.ts';
import { readPackModel } from '../../runtime/pack-model.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { FIXTURE_DECOMPOSE_PACK_DIR, FIXTURE_PACK_DIR } from '../../testing/test-packs.ts';
import { DecomposePipeline } from '../pipeline-decompose.ts';
import { TextToImagePipeline } from '../pipeline-text-to-image.ts';
import { maskFromBox, maskFromPicture } from './decompose-mask.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..', '..');
const FIX = join(HERE, '..', 'fixtures', 'decompose');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** The trained decomposition pack and its text-to-image base from models/, else the fixtures. */
async function benchPacks(): Promise<{ decomp: Pack; t2i: Pack; source: string }> {
  const registry = await loadPackRegistry([join(REPO, 'models')]);
  const listed = registry.summaries.find((p) => p.ok && p.pipelines.includes('decompose'));
  if (listed) return { decomp: registry.resolve(listed.id), t2i: registry.resolve(undefined, 'text-to-image'), source: 'models/' };
  return { decomp: await verifyPack(FIXTURE_DECOMPOSE_PACK_DIR), t2i: await verifyPack(FIXTURE_PACK_DIR), source: 'fixtures (no pack in models/ lists decompose): random weights, the graphs\' cost only' };
}

export async function runDecomposeBench(opts: { runs?: number; log?: (l: string) => void } = {}) {
  const log = opts.log ?? (() => {});
  const runs = opts.runs ?? 5;
  const { decomp, t2i, source } = await benchPacks();
  const dm = readPackModel(decomp);
  const { width, height } = dm.native;
  const steps = dm.scheduler.defaultSteps;
  const guidance = readPackModel(t2i).scheduler.defaultGuidance;
  const scene = await decodeImage(readFileSync(join(FIX, '4-image.png')));
  const sceneMask = maskFromPicture(await decodeImage(readFileSync(join(FIX, '4-mask.png'))), scene);
  const image = scene.width === width && scene.height === height ? scene : await resample(scene, width, height, 'fill');
  const mask = maskFromBox([Math.round(width * 0.16), Math.round(height * 0.5), Math.round(width * 0.38), Math.round(height * 0.4)], image);
  const pool = new SessionPool();
  const ctx = { signal: new AbortController().signal, progress: () => {} };
  try {
    const decomposer = new DecomposePipeline(decomp, { pool, device: 'cpu' });
    const generator = new TextToImagePipeline(t2i, { pool });
    const decompose = async () => (await decomposer.decompose({ image, mask, method: 'model', seed: 1, steps })).timings.total_ms;
    const generate = async () => {
      const t0 = performance.now();
      await generator.run({ prompt: 'a large red star on a blue background', width, height, seed: 1, steps, guidance, device: 'cpu' }, ctx);
      return performance.now() - t0;
    };
    await decompose(); // warm: sessions created, first-run allocations done
    await generate();
    const dMs: number[] = [], gMs: number[] = [];
    for (let k = 0; k < runs; k++) {
      dMs.push(await decompose());
      gMs.push(await generate());
    }
    log(`decompose: model ${median(dMs).toFixed(0)} ms vs text-to-image ${median(gMs).toFixed(0)} ms at ${width}x${height}, ${steps} steps`);
    const inpaint = async (im: typeof scene, m: typeof sceneMask) => {
      const p = new DecomposePipeline(null);
      const ms: number[] = [];
      for (let k = 0; k < runs + 1; k++) ms.push((await p.decompose({ image: im, mask: m, method: 'inpaint' })).timings.total_ms);
      return round(median(ms.slice(1)));
    };
    const big = await resample(scene, 512, 512, 'fill');
    const bigMask = maskFromBox([80, 264, 196, 196], big);
    return {
      packs: { decompose: `${decomp.id} ${dm.version}`, text_to_image: `${t2i.id} ${readPackModel(t2i).version}`, source },
      size: [width, height], steps, t2i_guidance: guidance, runs,
      decompose_model_ms: round(median(dMs)), text_to_image_ms: round(median(gMs)),
      decompose_ratio: round(median(dMs) / median(gMs), 2),
      inpaint_ms_128: await inpaint(scene, sceneMask), inpaint_ms_512: await inpaint(big, bigMask),
      provider: 'cpu',
    };
  } finally {
    await pool.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await runDecomposeBench({ log: (l) => process.stderr.write(`${l}\n`) })));
}

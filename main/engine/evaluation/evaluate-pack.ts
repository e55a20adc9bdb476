// Judges a pack's text-to-image on the 500 held-out test captions (1, 2 and 3 objects):
// colour accuracy, shape accuracy and object-count accuracy per object count, with the
// world's exact object judge, and the share of the captions' words read (word_accuracy,
// per object count and overall), with the word judge. Writes evaluation.json and a sample
// grid PNG.
//
//   node --import tsx main/engine/evaluation/evaluate-pack.ts [--pack models/lamina-tiny]
//     [--captions 500] [--steps 20] [--guidance 4] [--lora ID=STRENGTH,...] [--out docs/evaluation]
//
// --ceiling judges instead the captions' true scenes (fixtures/caption-scenes, rendered by
// `python -m models.recipes.make_eval_fixtures`) as they are and after a round trip through
// the pack's VAE: the most a perfect generator could score with this judge, and with this
// VAE. Writes ceiling.json and ceiling-samples.png (true | round trip, in pairs).
//
// --images DIR judges images made elsewhere instead (caption-NNN.png for held-out caption
// NNN; models.recipes.calibrate writes them) and prints the tallies.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeImage, encodePng } from '../imaging/image-codec.ts';
import { gridImage, inRows } from '../imaging/image-grid.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { detachedJobContext } from '../jobs/job-context.ts';
import { PackComponents } from '../pipelines/pack-components.ts';
import { TextToImagePipeline } from '../pipelines/pipeline-text-to-image.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import type { AdapterUse } from '../../../common/contract/generation-spec.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { loadEvaluation, type EvaluationSetup, type TestCaption } from './evaluation-setup.ts';
import { judgeAgainstRequest, type CaptionJudgement } from './object-judge.ts';
import { captionWords, judgeWords, type WordJudgement } from './word-judge.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '..', '..', '..');

/** Judgements summed per object count (1, 2, 3 objects per caption). */
class Tallies {
  private readonly byCount = new Map<number, { captions: number; objects: number; colour: number; shape: number; lenientColour: number; lenientShape: number; cluttered: number; count: number; words: number; wordsRead: number }>();
  private readonly words = { captions: 0, requested: 0, read: 0, falseReadings: 0 };
  /** one-object captions per requested shape (a mosaic of square tokens can pass for squares
   * only) and per requested size (can the pack draw a shape it has room for?) */
  private readonly singles = { shape: new Map<string, { captions: number; shape: number }>(), size: new Map<string, { captions: number; shape: number }>() };

  add({ objects: j, words: w, shapes, sizes }: { objects: CaptionJudgement; words: WordJudgement; shapes: readonly string[]; sizes: readonly string[] }): void {
    if (shapes.length === 1) {
      for (const [map, key] of [[this.singles.shape, shapes[0]], [this.singles.size, sizes[0]]] as const) {
        const s = map.get(key) ?? { captions: 0, shape: 0 };
        s.captions++;
        s.shape += j.shapeHits;
        map.set(key, s);
      }
    }
    const t = this.byCount.get(j.requested) ?? { captions: 0, objects: 0, colour: 0, shape: 0, lenientColour: 0, lenientShape: 0, cluttered: 0, count: 0, words: 0, wordsRead: 0 };
    t.captions++;
    t.objects += j.requested;
    t.colour += j.colourHits;
    t.shape += j.shapeHits;
    t.lenientColour += j.lenientColourHits;
    t.lenientShape += j.lenientShapeHits;
    t.cluttered += j.cluttered ? 1 : 0;
    t.count += j.countCorrect ? 1 : 0;
    t.words += w.requested;
    t.wordsRead += w.read;
    this.byCount.set(j.requested, t);
    this.words.captions++;
    this.words.requested += w.requested;
    this.words.read += w.read;
    this.words.falseReadings += w.detected - w.read;
  }

  /** Percentages (one decimal) per object count: { "1_object": {...}, "2_objects": {...} };
   * colour and shape accuracy count nothing in a cluttered image (object-judge.ts
   * judgeAgainstRequest; `cluttered` is the share of such captions), the *_lenient
   * figures are the same without that rule; word_accuracy is null where no caption of the
   * group names a word. */
  summary(): Record<string, { captions: number; colour_accuracy: number | null; shape_accuracy: number | null; count_accuracy: number | null; word_accuracy: number | null; colour_accuracy_lenient: number | null; shape_accuracy_lenient: number | null; cluttered: number | null }> {
    return Object.fromEntries([...this.byCount.entries()].sort((a, b) => a[0] - b[0]).map(([n, t]) => [
      `${n}_object${n > 1 ? 's' : ''}`,
      {
        captions: t.captions, colour_accuracy: pct(t.colour, t.objects), shape_accuracy: pct(t.shape, t.objects), count_accuracy: pct(t.count, t.captions), word_accuracy: pct(t.wordsRead, t.words),
        colour_accuracy_lenient: pct(t.lenientColour, t.objects), shape_accuracy_lenient: pct(t.lenientShape, t.objects), cluttered: pct(t.cluttered, t.captions),
      },
    ]));
  }

  /** One-object captions' shape accuracy per requested shape ({ square: { captions, shape_accuracy }, ... })
   * or, with 'size', per requested size ({ large: ..., medium: ..., small: ... }). */
  shapeSummary(by: 'shape' | 'size' = 'shape'): Record<string, { captions: number; shape_accuracy: number | null }> {
    return Object.fromEntries([...this.singles[by].entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([key, t]) => [key, { captions: t.captions, shape_accuracy: pct(t.shape, t.captions) }]));
  }

  /** All captions' words: how many were asked for and read, and readings of words not asked for. */
  wordSummary() {
    const w = this.words;
    return { requested: w.requested, read: w.read, word_accuracy: pct(w.read, w.requested), false_readings_per_image: w.captions ? Math.round((1000 * w.falseReadings) / w.captions) / 1000 : null };
  }
}

const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);

const judged = (e: EvaluationSetup, img: RgbaImage, c: TestCaption) => ({
  objects: judgeAgainstRequest(e.judge.detect(img), c.objects),
  words: judgeWords(e.words.readWords(img), captionWords(c.caption, e.world)),
  shapes: c.objects.map((obj) => obj.shape),
  sizes: c.objects.map((obj) => obj.size),
});

export async function evaluatePack(o: { packDir: string; captions?: number; steps?: number; guidance?: number; adapters?: AdapterUse[]; outDir?: string; log?: (s: string) => void }) {
  const setup = await loadEvaluation(o.packDir);
  const { pack, model, captions: all } = setup;
  const captions = all.slice(0, o.captions ?? all.length);
  const steps = o.steps ?? model.scheduler.defaultSteps;
  const guidance = o.guidance ?? model.scheduler.defaultGuidance;
  const pool = new SessionPool();
  const ctx = detachedJobContext();
  const tallies = new Tallies();
  const samples: RgbaImage[] = [];
  const t0 = performance.now();
  try {
    const pipe = new TextToImagePipeline(pack, { pool, previewEvery: 0 });
    for (const [i, c] of captions.entries()) {
      const r = await pipe.run({ prompt: c.caption, width: model.native.width, height: model.native.height, seed: c.seed % 2 ** 32, steps, guidance, device: 'cpu', ...(o.adapters ? { adapters: o.adapters } : {}) }, ctx);
      const img: RgbaImage = { width: r.layers[0].width, height: r.layers[0].height, data: r.layers[0].rgba };
      tallies.add(judged(setup, img, c));
      if (samples.length < 32) samples.push(img);
      if ((i + 1) % 50 === 0) o.log?.(`evaluate: ${i + 1}/${captions.length}`);
    }
  } finally {
    await pool.dispose();
  }
  const result = { pack: `${pack.id}@${pack.manifest.version}`, captions: captions.length, steps, guidance, ...(o.adapters ? { adapters: o.adapters } : {}), seconds: Math.round((performance.now() - t0) / 100) / 10, by_object_count: tallies.summary(), one_object_by_shape: tallies.shapeSummary(), one_object_by_size: tallies.shapeSummary('size'), words: tallies.wordSummary() };
  if (o.outDir) {
    mkdirSync(o.outDir, { recursive: true });
    writeFileSync(join(o.outDir, 'evaluation.json'), JSON.stringify(result, null, 2) + '\n');
    if (samples.length) writeFileSync(join(o.outDir, 'samples.png'), await encodePng(gridImage(inRows(samples, 8), samples[0].width, 0)));
  }
  return result;
}

/** True renders of the held-out captions' scenes (scene-<seed>.png). */
export const CAPTION_SCENES = join(HERE, 'fixtures', 'caption-scenes');

/** The judge on the captions' true scenes, and on those scenes after the pack's VAE
 * (encode, decode): the ceilings of evaluatePack's scores. */
export async function evaluateCeiling(o: { packDir: string; scenesDir?: string; captions?: number; outDir?: string; log?: (s: string) => void }) {
  const scenesDir = o.scenesDir ?? CAPTION_SCENES;
  const setup = await loadEvaluation(o.packDir);
  const { pack, model, captions: all } = setup;
  const captions = all.slice(0, o.captions ?? all.length);
  const pool = new SessionPool();
  const truth = new Tallies();
  const roundTrip = new Tallies();
  const samples: RgbaImage[] = [];
  try {
    const parts = new PackComponents(pack, pool, 'cpu');
    for (const [i, c] of captions.entries()) {
      const file = join(scenesDir, `scene-${c.seed}.png`);
      if (!existsSync(file)) throw new LaminaError('not_found', `${file} is missing (python -m models.recipes.make_eval_fixtures renders the caption scenes)`);
      const img = await decodeImage(readFileSync(file));
      const { latent, dims } = await parts.encodeImage(img);
      const back = (await parts.decodeToCanvas(latent, dims[2], dims[3], img.width, img.height)).image;
      truth.add(judged(setup, img, c));
      roundTrip.add(judged(setup, back, c));
      if (samples.length < 16) samples.push(img, back);
      if ((i + 1) % 100 === 0) o.log?.(`ceiling: ${i + 1}/${captions.length}`);
    }
  } finally {
    await pool.dispose();
  }
  const result = { pack: `${pack.id}@${pack.manifest.version}`, captions: captions.length, native: model.native, true_scenes: truth.summary(), vae_round_trip: roundTrip.summary(), words: { true_scenes: truth.wordSummary(), vae_round_trip: roundTrip.wordSummary() } };
  if (o.outDir) {
    mkdirSync(o.outDir, { recursive: true });
    writeFileSync(join(o.outDir, 'ceiling.json'), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(o.outDir, 'ceiling-samples.png'), await encodePng(gridImage(inRows(samples, 8), samples[0].width, 0)));
  }
  return result;
}

/** Name of the image that `evaluateImages` judges for held-out caption number `index`. */
export const captionImageName = (index: number) => `caption-${String(index).padStart(3, '0')}.png`;

/** The judge on images made elsewhere (e.g. by a training run's Python sampler, for any
 * representation: `python -m models.recipes.calibrate`): `caption-NNN.png` in `imagesDir`
 * is judged against held-out caption NNN (index into fixtures/test-captions.json); the
 * captions without an image are skipped. The world comes from `packDir`'s world.json. */
export async function evaluateImages(o: { packDir: string; imagesDir: string }) {
  const setup = await loadEvaluation(o.packDir);
  const tallies = new Tallies();
  const judgedIndices: number[] = [];
  for (const [i, c] of setup.captions.entries()) {
    const file = join(o.imagesDir, captionImageName(i));
    if (!existsSync(file)) continue;
    tallies.add(judged(setup, await decodeImage(readFileSync(file)), c));
    judgedIndices.push(i);
  }
  if (judgedIndices.length === 0) throw new LaminaError('not_found', `${o.imagesDir} holds no ${captionImageName(0)}-style images to judge`);
  return { images: o.imagesDir, captions: judgedIndices.length, by_object_count: tallies.summary(), one_object_by_shape: tallies.shapeSummary(), one_object_by_size: tallies.shapeSummary('size'), words: tallies.wordSummary() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { pack: { type: 'string', default: join(REPO, 'models', 'lamina-tiny') }, captions: { type: 'string', default: '500' }, steps: { type: 'string' }, guidance: { type: 'string' }, out: { type: 'string', default: join(REPO, 'docs', 'evaluation') }, ceiling: { type: 'boolean' }, scenes: { type: 'string' }, images: { type: 'string' }, lora: { type: 'string' } } });
  if (values.images) {
    process.stdout.write(JSON.stringify(await evaluateImages({ packDir: resolve(values.pack!), imagesDir: resolve(values.images) }), null, 2) + '\n');
    process.exit(0);
  }
  const common = { packDir: resolve(values.pack!), captions: Number(values.captions), outDir: resolve(values.out!), log: (s: string) => process.stderr.write(s + '\n') };
  const result = values.ceiling
    ? await evaluateCeiling({ ...common, scenesDir: values.scenes ? resolve(values.scenes) : undefined })
    : await evaluatePack({ ...common, steps: values.steps ? Number(values.steps) : undefined, guidance: values.guidance ? Number(values.guidance) : undefined, adapters: values.lora ? values.lora.split(',').map((u) => ({ id: u.split('=')[0], strength: Number(u.split('=')[1] ?? 1) })) : undefined });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

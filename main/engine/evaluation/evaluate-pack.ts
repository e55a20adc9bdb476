// Judges a pack's text-to-image on the 500 held-out test captions (1, 2 and 3 objects):
// colour accuracy, shape accuracy and object-count accuracy per object count, with the
// world's exact object judge. Writes evaluation.json and a sample grid PNG.
//
//   node --import tsx main/engine/evaluation/evaluate-pack.ts [--pack models/lamina-tiny]
//     [--captions 500] [--steps 20] [--guidance 4] [--out docs/evaluation]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeImage, encodePng } from '../imaging/image-codec.ts';
import { gridImage, inRows } from '../imaging/image-grid.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { detachedJobContext } from '../jobs/job-context.ts';
import { TextToImagePipeline } from '../pipelines/pipeline-text-to-image.ts';
import { readPackModel } from '../runtime/pack-model.ts';
import { verifyPack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { judgeAgainstRequest, ObjectJudge, type RequestedObject, type ShapeTemplates } from './object-judge.ts';
import { loadWorldSpec } from './world-spec.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '..', '..', '..');

interface Caption {
  seed: number;
  caption: string;
  objects: RequestedObject[];
}
interface Tally {
  captions: number;
  objects: number;
  colour: number;
  shape: number;
  count: number;
}

export async function evaluatePack(o: { packDir: string; captions?: number; steps?: number; guidance?: number; outDir?: string; log?: (s: string) => void }) {
  const pack = await verifyPack(o.packDir);
  const model = readPackModel(pack);
  const world = loadWorldSpec(join(pack.dir, model.tokenizer.file));
  const templates: ShapeTemplates = JSON.parse(readFileSync(join(HERE, 'shape-templates.json'), 'utf8'));
  const judge = new ObjectJudge(world, templates);
  const all: Caption[] = JSON.parse(readFileSync(join(HERE, 'fixtures', 'test-captions.json'), 'utf8'));
  const captions = all.slice(0, o.captions ?? all.length);
  const steps = o.steps ?? model.scheduler.defaultSteps;
  const guidance = o.guidance ?? model.scheduler.defaultGuidance;
  const pool = new SessionPool();
  const ctx = detachedJobContext();
  const tallies = new Map<number, Tally>();
  const samples: RgbaImage[] = [];
  const t0 = performance.now();
  try {
    const pipe = new TextToImagePipeline(pack, { pool, previewEvery: 0 });
    for (const [i, c] of captions.entries()) {
      const r = await pipe.run({ prompt: c.caption, width: model.native.width, height: model.native.height, seed: c.seed % 2 ** 32, steps, guidance, device: 'cpu' }, ctx);
      const img = await decodeImage(Buffer.from(r.layers[0].pngBase64, 'base64'));
      const j = judgeAgainstRequest(judge.detect(img), c.objects);
      const t = tallies.get(c.objects.length) ?? { captions: 0, objects: 0, colour: 0, shape: 0, count: 0 };
      t.captions++;
      t.objects += j.requested;
      t.colour += j.colourHits;
      t.shape += j.shapeHits;
      t.count += j.countCorrect ? 1 : 0;
      tallies.set(c.objects.length, t);
      if (samples.length < 32) samples.push(img);
      if ((i + 1) % 50 === 0) o.log?.(`evaluate: ${i + 1}/${captions.length}`);
    }
  } finally {
    await pool.dispose();
  }
  const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);
  const byCount = Object.fromEntries([...tallies.entries()].sort((a, b) => a[0] - b[0]).map(([n, t]) => [
    `${n}_object${n > 1 ? 's' : ''}`,
    { captions: t.captions, colour_accuracy: pct(t.colour, t.objects), shape_accuracy: pct(t.shape, t.objects), count_accuracy: pct(t.count, t.captions) },
  ]));
  const result = { pack: `${pack.id}@${pack.manifest.version}`, captions: captions.length, steps, guidance, seconds: Math.round((performance.now() - t0) / 100) / 10, by_object_count: byCount };
  if (o.outDir) {
    mkdirSync(o.outDir, { recursive: true });
    writeFileSync(join(o.outDir, 'evaluation.json'), JSON.stringify(result, null, 2) + '\n');
    if (samples.length) {
      const g = gridImage(inRows(samples, 8), samples[0].width, 0);
      writeFileSync(join(o.outDir, 'samples.png'), await encodePng(g));
    }
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { pack: { type: 'string', default: join(REPO, 'models', 'lamina-tiny') }, captions: { type: 'string', default: '500' }, steps: { type: 'string' }, guidance: { type: 'string' }, out: { type: 'string', default: join(REPO, 'docs', 'evaluation') } } });
  const result = await evaluatePack({
    packDir: resolve(values.pack!), captions: Number(values.captions), steps: values.steps ? Number(values.steps) : undefined,
    guidance: values.guidance ? Number(values.guidance) : undefined, outDir: resolve(values.out!), log: (s) => process.stderr.write(s + '\n'),
  });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

// ART against generate-then-split on held-out world layouts (issue 17, item 4; the whole
// procedure is in models/recipes/art_eval.py). For every layout of DIR/layouts.json:
//   art/NNN/layer-K.png    the ART pipeline's stack (K = 0 background, 1.. box k)
//   split/NNN/layer-K.png  the baseline: text-to-image of the caption on the base pack,
//                          the boxes' union inpainted (Telea) for the background, each box
//                          cropped from the picture and matted against that background
// and judges every stack (true/ too, the judge's ceiling) layer by layer with the world's
// object judge: each box layer alone (over a colour no palette colour is near) must show
// exactly its object, in its colour and shape; the background must show no object; the
// composite is judged like a text-to-image picture against the whole caption.
//
//   node --import tsx main/engine/evaluation/evaluate-art.ts --dir /work/art-eval
//     [--art-pack models/lamina-art] [--base-pack models/lamina-tiny] [--steps 20] [--n 200]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeImage, encodePng } from '../imaging/image-codec.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { detachedJobContext } from '../jobs/job-context.ts';
import { inpaintDecomposition } from '../pipelines/decompose/decompose-inpaint.ts';
import { ArtPipeline } from '../pipelines/pipeline-art.ts';
import { TextToImagePipeline } from '../pipelines/pipeline-text-to-image.ts';
import { verifyPack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { loadEvaluation, type EvaluationSetup } from './evaluation-setup.ts';
import { judgeAgainstRequest, type RequestedObject } from './object-judge.ts';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

type LayoutLayer = ({ kind: 'object' } & RequestedObject & { size: string }) | { kind: 'text'; word: string };
interface Layout { index: number; seed: number; caption: string; boxes: [number, number, number, number][]; layers: LayoutLayer[] }

/** A baseline layer's alpha: the picture differs from the inpainted background by more than this (RGB distance). */
export const MATTE_DISTANCE = 40;

const stackDir = (dir: string, method: string, i: number) => join(dir, method, String(i).padStart(3, '0'));

async function writeStack(dir: string, layers: RgbaImage[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [k, img] of layers.entries()) writeFileSync(join(dir, `layer-${k}.png`), await encodePng(img));
}

async function readStack(dir: string, count: number): Promise<RgbaImage[]> {
  return Promise.all(Array.from({ length: count }, (_, k) => decodeImage(readFileSync(join(dir, `layer-${k}.png`)))));
}

/** The baseline's split of one picture: [background, box 1, ...]. */
export function generateThenSplit(picture: RgbaImage, boxes: readonly [number, number, number, number][]): RgbaImage[] {
  const { width, height } = picture;
  const union = new Uint8Array(width * height);
  for (const [x, y, w, h] of boxes) for (let yy = y; yy < y + h; yy++) union.fill(1, yy * width + x, yy * width + x + w);
  const background = inpaintDecomposition(picture, { width, height, data: union }).background;
  const layers = boxes.map(([x, y, w, h]) => {
    const data = new Uint8Array(width * height * 4);
    for (let yy = y; yy < y + h; yy++) {
      for (let xx = x; xx < x + w; xx++) {
        const p = (yy * width + xx) * 4;
        const d = Math.hypot(picture.data[p] - background.data[p], picture.data[p + 1] - background.data[p + 1], picture.data[p + 2] - background.data[p + 2]);
        if (d <= MATTE_DISTANCE) continue;
        data.set(picture.data.subarray(p, p + 3), p);
        data[p + 3] = 255;
      }
    }
    return { width, height, data };
  });
  return [background, ...layers];
}

/** The colour (of a few candidates) farthest from every palette colour: what a layer is judged over. */
export function neutralColour(palette: readonly (readonly number[])[]): [number, number, number] {
  const candidates: [number, number, number][] = [[128, 128, 128], [0, 160, 160], [96, 160, 96], [160, 96, 160], [64, 64, 160], [190, 190, 120]];
  const far = (c: readonly number[]) => Math.min(...palette.flatMap((p) => [p, p.map((v) => v * 0.5)]).map((p) => Math.hypot(c[0] - p[0], c[1] - p[1], c[2] - p[2])));
  return candidates.reduce((best, c) => (far(c) > far(best) ? c : best));
}

function over(layers: readonly RgbaImage[], base: readonly number[] | RgbaImage): RgbaImage {
  const { width, height } = layers[0];
  const out = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    let [r, g, b] = Array.isArray(base) ? base : [(base as RgbaImage).data[p * 4], (base as RgbaImage).data[p * 4 + 1], (base as RgbaImage).data[p * 4 + 2]];
    for (const l of layers) {
      const a = l.data[p * 4 + 3] / 255;
      r = l.data[p * 4] * a + r * (1 - a);
      g = l.data[p * 4 + 1] * a + g * (1 - a);
      b = l.data[p * 4 + 2] * a + b * (1 - a);
    }
    out.set([Math.round(r), Math.round(g), Math.round(b), 255], p * 4);
  }
  return { width, height, data: out };
}

class Tally {
  objects = 0; colour = 0; shape = 0; single = 0; words = 0; wordsRead = 0; layouts = 0; cleanBackgrounds = 0;
  compObjects = 0; compColour = 0; compShape = 0; compCount = 0;

  summary() {
    const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);
    return {
      layer_colour_accuracy: pct(this.colour, this.objects), layer_shape_accuracy: pct(this.shape, this.objects),
      layer_one_object: pct(this.single, this.objects), word_layer_accuracy: pct(this.wordsRead, this.words),
      background_without_objects: pct(this.cleanBackgrounds, this.layouts),
      composite_colour_accuracy: pct(this.compColour, this.compObjects), composite_shape_accuracy: pct(this.compShape, this.compObjects),
      composite_count_accuracy: pct(this.compCount, this.layouts), object_layers: this.objects, word_layers: this.words,
    };
  }
}

function judgeStack(e: EvaluationSetup, stack: RgbaImage[], layout: Layout, neutral: readonly number[], t: Tally): void {
  t.layouts++;
  if (e.judge.detect(stack[0]).length === 0) t.cleanBackgrounds++;
  layout.layers.forEach((want, k) => {
    const alone = over([stack[k + 1]], neutral);
    if (want.kind === 'text') {
      t.words++;
      if (e.words.readWords(alone).some((w) => w.word === want.word)) t.wordsRead++;
      return;
    }
    const j = judgeAgainstRequest(e.judge.detect(alone), [want]);
    t.objects++;
    t.colour += j.colourHits;
    t.shape += j.shapeHits;
    if (j.detected === 1) t.single++;
  });
  const objects = layout.layers.filter((l): l is Extract<LayoutLayer, { kind: 'object' }> => l.kind === 'object');
  const comp = judgeAgainstRequest(e.judge.detect(over(stack.slice(1), stack[0])), objects);
  t.compObjects += objects.length;
  t.compColour += comp.colourHits;
  t.compShape += comp.shapeHits;
  if (comp.countCorrect) t.compCount++;
}

export async function evaluateArt(o: { dir: string; artPack: string; basePack: string; steps: number; n?: number; log?: (s: string) => void }) {
  const log = o.log ?? (() => {});
  const layouts: Layout[] = JSON.parse(readFileSync(join(o.dir, 'layouts.json'), 'utf8')).layouts.slice(0, o.n);
  const e = await loadEvaluation(o.basePack);
  const neutral = neutralColour(e.world.colour_order.map((c) => e.world.colours[c]));
  const art = await verifyPack(o.artPack);
  const pool = new SessionPool();
  const tallies = { true: new Tally(), art: new Tally(), split: new Tally() };
  const ms = { art: 0, split: 0 };
  try {
    for (const [n, layout] of layouts.entries()) {
      const spec = { prompt: layout.caption, width: 128, height: 128, seed: layout.index + 1, steps: o.steps, guidance: 4, device: 'cpu' as const };
      let t0 = performance.now();
      const a = await new ArtPipeline(art, { pool }).run({ ...spec, boxes: layout.boxes }, detachedJobContext());
      ms.art += performance.now() - t0;
      const img = (l: { width: number; height: number; rgba: Uint8Array }): RgbaImage => ({ width: l.width, height: l.height, data: l.rgba });
      const artStack = [img(a.layers.at(-1)!), ...a.layers.slice(0, -1).reverse().map(img)];
      t0 = performance.now();
      const t2i = await new TextToImagePipeline(e.pack, { pool }).run(spec, detachedJobContext());
      const splitStack = generateThenSplit(img(t2i.layers[0]), layout.boxes);
      ms.split += performance.now() - t0;
      await writeStack(stackDir(o.dir, 'art', layout.index), artStack);
      await writeStack(stackDir(o.dir, 'split', layout.index), splitStack);
      const trueStack = await readStack(stackDir(o.dir, 'true', layout.index), layout.boxes.length + 1);
      judgeStack(e, trueStack, layout, neutral, tallies.true);
      judgeStack(e, artStack, layout, neutral, tallies.art);
      judgeStack(e, splitStack, layout, neutral, tallies.split);
      if ((n + 1) % 20 === 0) log(`evaluate-art: ${n + 1}/${layouts.length}`);
    }
  } finally {
    await pool.dispose();
  }
  const result = {
    layouts: layouts.length, steps: o.steps, art_pack: `${art.id} ${art.manifest.version}`, base_pack: `${e.pack.id} ${e.pack.manifest.version}`,
    judged_over: neutral, matte_distance: MATTE_DISTANCE,
    true: { summary: tallies.true.summary() },
    art: { summary: tallies.art.summary(), ms_per_layout: Math.round(ms.art / layouts.length) },
    split: { summary: tallies.split.summary(), ms_per_layout: Math.round(ms.split / layouts.length) },
  };
  writeFileSync(join(o.dir, 'judge.json'), JSON.stringify(result, null, 1) + '\n');
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, 'art-pack': { type: 'string', default: join(REPO, 'models', 'lamina-art') }, 'base-pack': { type: 'string', default: join(REPO, 'models', 'lamina-tiny') }, steps: { type: 'string', default: '20' }, n: { type: 'string' } } });
  if (!values.dir || !existsSync(join(values.dir, 'layouts.json'))) throw new Error('--dir DIR with layouts.json (python -m models.recipes.art_eval layouts --dir DIR)');
  const r = await evaluateArt({ dir: resolve(values.dir), artPack: resolve(values['art-pack']!), basePack: resolve(values['base-pack']!), steps: Number(values.steps), n: values.n ? Number(values.n) : undefined, log: (s) => process.stderr.write(s + '\n') });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}

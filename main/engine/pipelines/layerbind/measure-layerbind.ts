// LayerBind's measurement (issue 6, docs/layerbind.md): held-out world layouts with 2-4
// regions, most of them overlapping, generated three ways with the same seeds:
//   (a) global   the global prompt alone (text-to-image)
//   (b) regional-mask   plain attention-mask regional prompting
//   (c) layerbind
// and judged by the world's exact object judge (main/engine/evaluation/object-judge.ts):
//   region adherence  found: share of requested objects (colour + shape) the judge finds
//                     with its box centre inside the region's box
//                     pixels: share of the object's colour pixels that lie inside its box
//   occlusion accuracy  in each overlap of two regions, where both requested shapes would
//                     lie (each shape's template stretched over its box: the contested
//                     pixels), the front region's colour must cover at least half of the
//                     contested pixels and more of them than the back region's colour, as
//                     a person sees the front object on top (strict); the lenient
//                     metric of sessions 1-3 (front colour > back colour in the overlap
//                     box) is still reported for comparison
// Writes measure.json, measure.md (the table + the command) and grid.png
// (layout | global | regional-mask | layerbind).
//
//   node --import tsx main/engine/pipelines/layerbind/measure-layerbind.ts \
//     [--pack models/lamina-tiny] [--layouts 240] [--steps 20] [--guidance 4] [--out docs/layerbind] [--grid-rows 8]
//     [--params '{"fuseStep": 3, "nursingSteps": 6}'] [--modes layerbind]   (parameter sweeps)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerationSpecInput } from '../../../../common/contract/generation-spec.ts';
import { loadEvaluation } from '../../evaluation/evaluation-setup.ts';
import type { ObjectJudge, ShapeTemplates } from '../../evaluation/object-judge.ts';
import type { WorldSpec } from '../../evaluation/world-spec.ts';
import sharp from 'sharp';
import { gridImage } from '../../imaging/image-grid.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import { detachedJobContext as ctx } from '../../jobs/job-context.ts';
import { uniformNoise } from '../../runtime/prng.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { LayerBindPipeline, type LayerBindMode, type LayerBindParams } from '../pipeline-layerbind.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '..', '..', '..', '..');

export interface WorldObject {
  colour: string;
  shape: string;
  size: string;
}

export interface Layout {
  seed: number;
  /** global prompt: objects back to front (the world's caption grammar), then the background */
  prompt: string;
  background: string;
  regions: { id: string; box: [number, number, number, number]; prompt: string; object: WorldObject }[];
  /** region ids front to back */
  order: string[];
}

/**
 * `count` layouts from held-out captions (seeds never trained on): region counts cycle
 * 2, 3, 4; objects come from the caption (topped up from the following captions), with
 * distinct colours that differ from the background's; box sides follow the world's size
 * classes; with probability pOverlap each new box overlaps an earlier one; a seeded
 * random stacking order. Deterministic in (captions, world, count, size).
 */
export function makeLayouts(captions: { seed: number; caption: string; objects: WorldObject[] }[], world: WorldSpec, count: number, size: number, pOverlap = 0.8): Layout[] {
  const sizes = (world as unknown as { sizes: Record<string, [number, number]> }).sizes;
  const out: Layout[] = [];
  for (let i = 0; out.length < count; i++) {
    const cap = captions[i % captions.length];
    const seed = (cap.seed + Math.floor(i / captions.length) * 7919) >>> 0;
    const bgMatch = / on a (\w+)(?: (\w+))? background/.exec(cap.caption);
    const bgColour = bgMatch?.[1] ?? 'white';
    const background = bgMatch ? `on a ${bgMatch[1]}${bgMatch[2] ? ` ${bgMatch[2]}` : ''} background` : 'on a white background';
    const R = 2 + (out.length % 3);
    const objects: WorldObject[] = [];
    for (let k = 0; objects.length < R && k < captions.length; k++) {
      for (const o of captions[(i + k) % captions.length].objects) {
        if (objects.length < R && o.colour !== bgColour && !objects.some((p) => p.colour === o.colour)) objects.push(o);
      }
    }
    if (objects.length < R) continue;
    const u = uniformNoise(seed, 64, 7);
    let c = 0;
    const next = () => u[c++ % u.length];
    const boxes: [number, number, number, number][] = [];
    for (const o of objects) {
      const [lo, hi] = sizes[o.size] ?? [0.25, 0.3];
      const side = Math.round((lo + (hi - lo) * next()) * size);
      let x: number, y: number;
      if (boxes.length > 0 && next() < pOverlap) {
        const [px, py, ps] = boxes[Math.floor(next() * boxes.length)];
        const reach = (ps + side) / 2;
        const dx = (0.3 + 0.35 * next()) * reach * (next() < 0.5 ? -1 : 1);
        const dy = (0.3 + 0.35 * next()) * reach * (next() < 0.5 ? -1 : 1);
        x = px + ps / 2 + dx - side / 2;
        y = py + ps / 2 + dy - side / 2;
      } else {
        x = next() * (size - side);
        y = next() * (size - side);
      }
      x = Math.round(Math.min(size - side, Math.max(0, x)));
      y = Math.round(Math.min(size - side, Math.max(0, y)));
      boxes.push([x, y, side, side]);
    }
    const ids = objects.map((_, k) => `r${k + 1}`);
    // front-to-back order: a seeded shuffle
    const order = [...ids];
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(next() * (k + 1));
      [order[k], order[j]] = [order[j], order[k]];
    }
    const phrase = (o: WorldObject) => `a ${o.size} ${o.colour} ${o.shape}`;
    const backToFront = [...order].reverse().map((id) => objects[ids.indexOf(id)]);
    out.push({
      seed,
      prompt: `${backToFront.map(phrase).join(' and ')} ${background}`,
      background,
      regions: objects.map((o, k) => ({ id: ids[k], box: boxes[k], prompt: phrase(o), object: o })),
      order,
    });
  }
  return out;
}

export interface LayoutScore {
  /** per region: judge found the object (colour + shape) with its centre in the box */
  found: number[];
  /** per region: share of the object's colour pixels inside its box */
  pixels: number[];
  /** per contested pair: 1 = the front region's colour covers most of the pixels where both shapes lie */
  occlusion: number[];
  /** per overlapping pair: 1 = the front region's colour out-counts the back's in the overlap box (lenient) */
  occlusionLenient: number[];
}

/** Pixels (index y * size + x) where `shape`'s template, stretched over `box`, covers at least half. */
export function idealShapePixels(templates: ShapeTemplates, shape: string, box: readonly number[], size: number): Set<number> {
  const cov = templates.shapes[shape];
  if (!cov) throw new Error(`shape templates lack "${shape}"`);
  const T = templates.size;
  const [x0, y0, w, h] = box;
  const out = new Set<number>();
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(size, Math.ceil(y0 + h)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(size, Math.ceil(x0 + w)); x++) {
      const tx = Math.min(T - 1, Math.floor(((x + 0.5 - x0) / w) * T));
      const ty = Math.min(T - 1, Math.floor(((y + 0.5 - y0) / h) * T));
      if (cov[ty * T + tx] >= 128) out.add(y * size + x);
    }
  }
  return out;
}

const overlapOf = (a: readonly number[], b: readonly number[]): [number, number, number, number] | null => {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  return x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : null;
};

/** Scores one image against its layout (image and boxes in the same pixel frame). */
export function scoreLayout(judge: ObjectJudge, world: WorldSpec, templates: ShapeTemplates, img: RgbaImage, layout: Layout, minOverlapPx = 16): LayoutScore {
  const labels = judge.labelColours(img);
  const K = world.colour_order.length;
  const colourAt = (p: number) => (labels[p] < 0 ? -1 : labels[p] % K); // strokes count as their fill colour
  const detections = judge.detect(img);
  const count = (c: number, box?: readonly number[]) => {
    let n = 0;
    const [x0, y0, w, h] = box ?? [0, 0, img.width, img.height];
    for (let y = Math.max(0, Math.floor(y0)); y < Math.min(img.height, Math.ceil(y0 + h)); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(img.width, Math.ceil(x0 + w)); x++) if (colourAt(y * img.width + x) === c) n++;
    }
    return n;
  };
  const found: number[] = [];
  const pixels: number[] = [];
  for (const r of layout.regions) {
    const c = world.colour_order.indexOf(r.object.colour);
    const [bx, by, bw, bh] = r.box;
    found.push(detections.some((d) => {
      const cx = (d.box[0] + d.box[2]) / 2;
      const cy = (d.box[1] + d.box[3]) / 2;
      return d.colour === r.object.colour && d.shape === r.object.shape && cx >= bx && cx < bx + bw && cy >= by && cy < by + bh;
    }) ? 1 : 0);
    const total = count(c);
    pixels.push(total ? count(c, r.box) / total : 0);
  }
  const occlusion: number[] = [];
  const occlusionLenient: number[] = [];
  const ideal = new Map(layout.regions.map((r) => [r.id, idealShapePixels(templates, r.object.shape, r.box, img.width)]));
  for (let i = 0; i < layout.order.length; i++) {
    for (let j = i + 1; j < layout.order.length; j++) {
      const front = layout.regions.find((r) => r.id === layout.order[i])!;
      const back = layout.regions.find((r) => r.id === layout.order[j])!;
      const ov = overlapOf(front.box, back.box);
      if (!ov || ov[2] * ov[3] < minOverlapPx) continue;
      const cf = world.colour_order.indexOf(front.object.colour);
      const cb = world.colour_order.indexOf(back.object.colour);
      occlusionLenient.push(count(cf, ov) > count(cb, ov) ? 1 : 0);
      const backPixels = ideal.get(back.id)!;
      const contested = [...ideal.get(front.id)!].filter((p) => backPixels.has(p));
      if (contested.length < minOverlapPx) continue;
      const nf = contested.filter((p) => colourAt(p) === cf).length;
      const nb = contested.filter((p) => colourAt(p) === cb).length;
      occlusion.push(2 * nf >= contested.length && nf > nb ? 1 : 0);
    }
  }
  return { found, pixels, occlusion, occlusionLenient };
}

/** The layout as a picture: background colour, boxes filled back to front, dark outlines. */
export function renderLayout(layout: Layout, world: WorldSpec, size: number): RgbaImage {
  const data = new Uint8Array(size * size * 4);
  const bg = world.colours[/on a (\w+)/.exec(layout.background)?.[1] ?? 'white'] ?? [255, 255, 255];
  for (let p = 0; p < size * size; p++) data.set([...bg.map((v) => Math.round(v * 0.6 + 102 * 0.4)), 255], p * 4);
  for (const id of [...layout.order].reverse()) {
    const r = layout.regions.find((q) => q.id === id)!;
    const rgb = world.colours[r.object.colour];
    const [x0, y0, w, h] = r.box;
    for (let y = y0; y < Math.min(size, y0 + h); y++) {
      for (let x = x0; x < Math.min(size, x0 + w); x++) {
        const edge = x === x0 || y === y0 || x === x0 + w - 1 || y === y0 + h - 1;
        data.set(edge ? [30, 30, 30, 255] : [...rgb, 255], (y * size + x) * 4);
      }
    }
  }
  return { width: size, height: size, data };
}

const ALL_MODES: LayerBindMode[] = ['global', 'regional-mask', 'layerbind'];
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

export interface MeasureOptions {
  packDir: string;
  layouts?: number;
  steps?: number;
  guidance?: number;
  outDir: string;
  gridRows?: number;
  params?: LayerBindParams;
  /** methods to run (default all three; a parameter sweep only needs layerbind) */
  modes?: LayerBindMode[];
  log?: (line: string) => void;
}

export async function measureLayerBind(o: MeasureOptions) {
  const { pack, model, world, judge, templates, captions } = await loadEvaluation(o.packDir);
  const size = Math.min(model.native.width, model.native.height);
  const layouts = makeLayouts(captions, world, o.layouts ?? 240, size);
  const steps = o.steps ?? model.scheduler.defaultSteps;
  const guidance = o.guidance ?? model.scheduler.defaultGuidance;
  const gridRows = o.gridRows ?? 8;
  const pool = new SessionPool();
  const MODES = o.modes ?? ALL_MODES;
  const scores: Record<LayerBindMode, LayoutScore[]> = { global: [], 'regional-mask': [], layerbind: [] };
  const seconds: Record<LayerBindMode, number> = { global: 0, 'regional-mask': 0, layerbind: 0 };
  const grid: RgbaImage[][] = [];
  try {
    const pipes = Object.fromEntries(MODES.map((m) => [m, new LayerBindPipeline(pack, { pool, previewEvery: 0, ...o.params, mode: m })])) as Record<LayerBindMode, LayerBindPipeline>;
    for (const [k, layout] of layouts.entries()) {
      const spec: GenerationSpecInput = {
        prompt: layout.prompt, width: model.native.width, height: model.native.height, seed: layout.seed, steps, guidance, device: 'cpu',
        regions: layout.regions.map(({ id, box, prompt }) => ({ id, box, prompt })), order: layout.order,
      };
      const row: RgbaImage[] = [renderLayout(layout, world, size)];
      for (const m of MODES) {
        const t = performance.now();
        const r = await pipes[m].run(spec, ctx());
        seconds[m] += (performance.now() - t) / 1000;
        const img: RgbaImage = { width: r.layers[0].width, height: r.layers[0].height, data: r.layers[0].rgba };
        scores[m].push(scoreLayout(judge, world, templates, img, layout));
        if (k < gridRows) row.push(img);
      }
      if (k < gridRows) grid.push(row);
      if ((k + 1) % 20 === 0) o.log?.(`${k + 1}/${layouts.length} layouts`);
    }
  } finally {
    await pool.dispose();
  }
  const summary = MODES.map((m) => ({
    mode: m,
    found: mean(scores[m].flatMap((s) => s.found)),
    pixels: mean(scores[m].flatMap((s) => s.pixels)),
    occlusion: mean(scores[m].flatMap((s) => s.occlusion)),
    occlusionLenient: mean(scores[m].flatMap((s) => s.occlusionLenient)),
    seconds: Math.round(seconds[m] * 10) / 10,
  }));
  const occlusionFor = (m: LayerBindMode, R: number) => mean(scores[m].flatMap((s, k) => (layouts[k].regions.length === R ? s.occlusion : [])));
  const byR = [2, 3, 4].map((R) => ({
    regions: R,
    layouts: layouts.filter((l) => l.regions.length === R).length,
    global: occlusionFor('global', R),
    'regional-mask': occlusionFor('regional-mask', R),
    layerbind: occlusionFor('layerbind', R),
  }));
  const pairs = scores[MODES[0]].reduce((a, s) => a + s.occlusion.length, 0);
  const boxPairs = scores[MODES[0]].reduce((a, s) => a + s.occlusionLenient.length, 0);
  const overlapping = scores[MODES[0]].filter((s) => s.occlusion.length > 0).length;
  const command = `node --import tsx main/engine/pipelines/layerbind/measure-layerbind.ts --pack ${o.packDir} --layouts ${layouts.length} --steps ${steps} --guidance ${guidance}${o.params ? ` --params '${JSON.stringify(o.params)}'` : ''}${o.modes ? ` --modes ${o.modes.join(',')}` : ''} --out ${o.outDir}`;
  const md = [
    `LayerBind measurement on pack \`${pack.id}\` ${pack.manifest.version}: ${layouts.length} held-out layouts (2-4 regions, ${overlapping} with contested overlaps, ${pairs} contested pairs of ${boxPairs} overlapping boxes), ${steps} steps, guidance ${guidance}, same seeds for every method. Occlusion (strict): the front colour covers at least half of the pixels where both requested shapes lie, and more than the back colour; lenient: the front colour out-counts the back colour in the overlap box.`,
    '',
    '| method | objects found in their box | object pixels inside box | occlusion (strict) | occlusion (lenient) | time (s) |',
    '|---|---|---|---|---|---|',
    ...summary.map((s) => `| ${s.mode === 'global' ? '(a) global prompt only' : s.mode === 'regional-mask' ? '(b) attention-mask regional prompting' : 'LayerBind'} | ${pct(s.found)} | ${pct(s.pixels)} | ${pct(s.occlusion)} | ${pct(s.occlusionLenient)} | ${s.seconds} |`),
    '',
    '| regions | layouts | occlusion strict (a) | occlusion strict (b) | occlusion strict LayerBind |',
    '|---|---|---|---|---|',
    ...byR.map((r) => `| ${r.regions} | ${r.layouts} | ${pct(r.global)} | ${pct(r['regional-mask'])} | ${pct(r.layerbind)} |`),
    ...(o.params ? ['', `LayerBind parameters: \`${JSON.stringify(o.params)}\``] : []),
    '',
    `Reproduce: \`${command}\``,
    '',
    'grid.png: layout | (a) global | (b) regional-mask | LayerBind, first rows.',
  ].join('\n');
  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(join(o.outDir, 'measure.json'), JSON.stringify({ pack: pack.id, version: pack.manifest.version, steps, guidance, layouts: layouts.length, pairs, params: o.params ?? {}, summary, byRegions: byR, command }, null, 1) + '\n');
  writeFileSync(join(o.outDir, 'measure.md'), md + '\n');
  if (grid.length) {
    // palette PNG: a quarter of the bytes of RGBA, for a file that lives in docs/
    const g = gridImage(grid, size);
    await sharp(g.data, { raw: { width: g.width, height: g.height, channels: 4 } }).png({ palette: true, effort: 10 }).toFile(join(o.outDir, 'grid.png'));
  }
  return { summary, byRegions: byR, markdown: md };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const real = join(REPO, 'models', 'lamina-tiny');
  const packDir = flag('--pack') ?? real;
  const res = await measureLayerBind({
    packDir,
    layouts: Number(flag('--layouts') ?? 240),
    steps: flag('--steps') ? Number(flag('--steps')) : undefined,
    guidance: flag('--guidance') ? Number(flag('--guidance')) : undefined,
    outDir: flag('--out') ?? join(REPO, 'docs', 'layerbind'),
    gridRows: Number(flag('--grid-rows') ?? 8),
    params: flag('--params') ? (JSON.parse(flag('--params')!) as LayerBindParams) : undefined,
    modes: flag('--modes') ? (flag('--modes')!.split(',') as LayerBindMode[]) : undefined,
    log: (l) => console.error(l),
  });
  console.log(res.markdown);
}

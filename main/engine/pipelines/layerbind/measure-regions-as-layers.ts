// Regions as layers, measured (issue 16 item 5): on LayerBind's held-out layouts
// (./measure-layerbind.ts makeLayouts), each layout generated with LayerBind and peeled
// into layers ("layers": true, ./regions-as-layers.ts), then every region's layer judged
// by the world's colour judge (main/engine/evaluation/object-judge.ts) inside its alpha:
//   own share   of the layer's opaque pixels (alpha >= 128), the share in the colour its
//               region's prompt asks for
//   holds       its own colour is the most frequent of the layout's object colours in the
//               layer, with at least 16 px: the layer holds its own object, not a neighbour
//   captured    of the composite's pixels in that colour, the share that went into the
//               region's layer (not left in the background or taken by another layer)
//   holds | present   holds, over the regions whose object the composite shows in its
//               box (>= 16 px of its colour there): what the peeling decides, apart from
//               whether LayerBind drew the object at all
//
//   node --import tsx main/engine/pipelines/layerbind/measure-regions-as-layers.ts \
//     [--pack models/lamina-tiny] [--layouts 240] [--steps 20] [--decompose-pack DIR]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvaluation } from '../../evaluation/evaluation-setup.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import { detachedJobContext as ctx } from '../../jobs/job-context.ts';
import { verifyPack } from '../../runtime/pack-registry.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { DecomposePipeline } from '../pipeline-decompose.ts';
import { LayerBindPipeline } from '../pipeline-layerbind.ts';
import { makeLayouts, type Layout } from './measure-layerbind.ts';
import type { ObjectJudge } from '../../evaluation/object-judge.ts';
import type { WorldSpec } from '../../evaluation/world-spec.ts';
import { generateRegionsAsLayers } from './regions-as-layers.ts';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const MIN_PX = 16;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

export interface RegionLayerScore {
  regions: number;
  /** share of the layer's opaque pixels in its region's colour */
  own: number;
  /** 1: its own colour is the most frequent of the layout's object colours in it (>= 16 px) */
  holds: number;
  /** share of the composite's pixels in its colour that the layer holds */
  captured: number;
  /** the composite shows the object in its box (>= 16 px of its colour) */
  present: boolean;
}

/** Scores each region's layer (`layers` front first, as `layout.order`) against what the
 * designer sees, `composite` (all at the same size). */
export function judgeRegionLayers(judge: ObjectJudge, world: WorldSpec, layout: Layout, layers: readonly { rgba: Uint8Array }[], composite: RgbaImage): RegionLayerScore[] {
  const K = world.colour_order.length;
  const size = composite.width;
  const rows: RegionLayerScore[] = [];
  const compLabels = judge.labelColours(composite);
  const colours = layout.regions.map((r) => world.colour_order.indexOf(r.object.colour));
  layout.order.forEach((id, f) => {
    const region = layout.regions.find((r) => r.id === id)!;
    const own = world.colour_order.indexOf(region.object.colour);
    const layer = layers[f];
    const labels = judge.labelColours({ width: size, height: size, data: layer.rgba });
    const counts = new Map<number, number>();
    let opaque = 0, ownTotal = 0, ownInBox = 0;
    const [bx, by, bw, bh] = region.box;
    for (let p = 0; p < size * size; p++) {
      if (compLabels[p] >= 0 && compLabels[p] % K === own) {
        ownTotal++;
        const x = p % size, y = Math.floor(p / size);
        if (x >= bx && x < bx + bw && y >= by && y < by + bh) ownInBox++;
      }
      if (layer.rgba[p * 4 + 3] < 128) continue;
      opaque++;
      const c = labels[p] < 0 ? -1 : labels[p] % K;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const ownCount = counts.get(own) ?? 0;
    const best = Math.max(...colours.map((c) => counts.get(c) ?? 0));
    rows.push({
      regions: layout.regions.length,
      own: opaque ? ownCount / opaque : 0,
      holds: ownCount >= MIN_PX && ownCount === best ? 1 : 0,
      captured: ownTotal ? Math.min(1, ownCount / ownTotal) : 0,
      present: ownInBox >= MIN_PX,
    });
  });
  return rows;
}

export async function measureRegionsAsLayers(o: { packDir: string; layouts?: number; steps?: number; decomposePackDir?: string; log?: (l: string) => void }) {
  const { pack, model, world, judge, captions } = await loadEvaluation(o.packDir);
  const size = Math.min(model.native.width, model.native.height);
  const layouts = makeLayouts(captions, world, o.layouts ?? 240, size);
  const steps = o.steps ?? model.scheduler.defaultSteps;
  const pool = new SessionPool();
  const rows: RegionLayerScore[] = [];
  const t0 = performance.now();
  try {
    const pipeline = new LayerBindPipeline(pack, { pool, previewEvery: 0 });
    const decomposer = new DecomposePipeline(o.decomposePackDir ? await verifyPack(o.decomposePackDir) : null, { pool, device: 'cpu' });
    for (const [k, layout] of layouts.entries()) {
      const spec = {
        prompt: layout.prompt, width: size, height: size, seed: layout.seed, steps, device: 'cpu' as const, layers: true,
        regions: layout.regions.map(({ id, box, prompt }) => ({ id, box, prompt })), order: layout.order,
      };
      const res = await generateRegionsAsLayers(pipeline, spec, ctx(), decomposer);
      const composite: RgbaImage = (() => {
        // the composite of the landed layers, back to front: what the designer sees
        const out = new Float32Array(size * size * 3);
        for (const l of [...res.layers].reverse()) {
          for (let p = 0; p < size * size; p++) {
            const a = l.rgba[p * 4 + 3] / 255;
            for (let c = 0; c < 3; c++) out[p * 3 + c] = out[p * 3 + c] * (1 - a) + l.rgba[p * 4 + c] * a;
          }
        }
        const data = new Uint8Array(size * size * 4);
        for (let p = 0; p < size * size; p++) data.set([out[p * 3], out[p * 3 + 1], out[p * 3 + 2], 255], p * 4);
        return { width: size, height: size, data };
      })();
      rows.push(...judgeRegionLayers(judge, world, layout, res.layers, composite));
      if ((k + 1) % 40 === 0) o.log?.(`${k + 1}/${layouts.length} layouts`);
    }
  } finally {
    await pool.dispose();
  }
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const line = (label: string, rs: typeof rows) => `| ${label} | ${rs.length} | ${pct(mean(rs.map((r) => r.own)))} | ${pct(mean(rs.map((r) => r.holds)))} | ${pct(mean(rs.filter((r) => r.present).map((r) => r.holds)))} (${rs.filter((r) => r.present).length}) | ${pct(mean(rs.map((r) => r.captured)))} |`;
  const method = o.decomposePackDir ? `model (${o.decomposePackDir})` : 'inpaint';
  const command = `node --import tsx main/engine/pipelines/layerbind/measure-regions-as-layers.ts --pack ${o.packDir} --layouts ${layouts.length} --steps ${steps}${o.decomposePackDir ? ` --decompose-pack ${o.decomposePackDir}` : ''}`;
  const md = [
    `Regions as layers on pack \`${pack.id}\` ${pack.manifest.version}, ${method} method: ${layouts.length} held-out LayerBind layouts (2-4 regions), ${steps} steps, ${seconds} s.`,
    '',
    '| regions per layout | region layers | own colour share in the layer\'s alpha | layer holds its own object | holds, where the composite shows the object (n) | own-colour pixels captured by the layer |',
    '|---|---|---|---|---|---|',
    line('all', rows),
    ...[2, 3, 4].map((R) => line(String(R), rows.filter((r) => r.regions === R))),
    '',
    `Reproduce: \`${command}\``,
  ].join('\n');
  return { rows: rows.length, seconds, markdown: md };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const res = await measureRegionsAsLayers({
    packDir: flag('--pack') ?? join(REPO, 'models', 'lamina-tiny'),
    layouts: Number(flag('--layouts') ?? 240),
    steps: flag('--steps') ? Number(flag('--steps')) : undefined,
    decomposePackDir: flag('--decompose-pack'),
    log: (l) => console.error(l),
  });
  console.log(res.markdown);
}

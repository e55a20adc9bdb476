// `lamina place --background bg.png|doc.ora --object obj.png [--top 5] [--heatmap out.png] [--json]`:
// where the object plausibly goes over the background (TopNet, one network call). With
// --json: {"placements": [{"x", "y", "scale", "score"}, ...]} best first; x, y = top-left
// of the scaled object image in background pixels, scale multiplies the object image's
// own size. --heatmap writes the background with the heatmap (max over scales) over it.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import { heatmapRgba, maxOverScales } from '../../common/placement/placement-kernels.ts';
import { defaultEngineOptions } from '../engine/engine-defaults.ts';
import { decodeImage, encodePng } from '../engine/imaging/image-codec.ts';
import { resample } from '../engine/imaging/resample.ts';
import type { RgbaImage } from '../engine/imaging/rgba-image.ts';
import { PlacementPipeline } from '../engine/pipelines/pipeline-placement.ts';
import { loadPackRegistry } from '../engine/runtime/pack-registry.ts';
import type { Device } from '../engine/runtime/execution-providers.ts';
import { readFlatImage } from './cli-images.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { parseCommandArgs, type Command } from './lamina.ts';

/** The background with the heatmap over it, at the background's size. */
export async function heatmapPicture(bg: RgbaImage, map: Float32Array, w: number, h: number): Promise<RgbaImage> {
  const small: RgbaImage = { width: w, height: h, data: new Uint8Array(heatmapRgba(map, w, h).buffer) };
  const big = await resample(small, bg.width, bg.height, 'fill');
  const out = new Uint8Array(bg.width * bg.height * 4);
  for (let p = 0; p < bg.width * bg.height; p++) {
    const a = big.data[p * 4 + 3] / 255;
    const ba = bg.data[p * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) {
      const under = bg.data[p * 4 + c] * ba + 255 * (1 - ba); // over white
      out[p * 4 + c] = Math.round(under * 0.6 * (1 - a) + big.data[p * 4 + c] * a + under * 0.4 * (1 - a));
    }
    out[p * 4 + 3] = 255;
  }
  return { width: bg.width, height: bg.height, data: out };
}

export const commandPlace: Command = async (args) => {
  const { values } = parseCommandArgs({
    args,
    options: {
      background: { type: 'string' }, object: { type: 'string' }, top: { type: 'string', default: '5' },
      heatmap: { type: 'string' }, pack: { type: 'string' }, device: { type: 'string', default: 'cpu' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.background || !values.object) throw new CliUsageError('place needs --background bg.png|doc.ora and --object obj.png');
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 50) throw new CliUsageError(`--top must be an integer from 1 to 50 (got "${values.top}")`);
  const bg = (await readFlatImage(resolve(values.background), 'background')).image;
  const obj = await decodeImage(new Uint8Array(await readFile(resolve(values.object))), 'object');
  const registry = await loadPackRegistry(defaultEngineOptions().packDirs);
  const pack = registry.resolve(values.pack, 'placement');
  if (!pack.manifest.pipelines.includes('placement')) throw new LaminaError('no_pipeline', `model pack "${pack.id}" has no placement pipeline`);
  const pipeline = new PlacementPipeline(pack, { device: values.device as Device });
  const out = await pipeline.place({ background: bg, object: obj, top });
  let heatmapPath: string | null = null;
  if (values.heatmap) {
    heatmapPath = resolve(values.heatmap);
    const pic = await heatmapPicture(bg, maxOverScales(out.volume), out.volume.width, out.volume.height);
    await writeFile(heatmapPath, await encodePng(pic));
  }
  if (values.json) {
    printJson({ placements: out.placements, pack: pack.id, background: { width: bg.width, height: bg.height }, object: { width: obj.width, height: obj.height, box: out.box }, heatmap: heatmapPath, provider: out.provider, ms: Math.round(out.timings.total_ms * 10) / 10 });
  } else {
    const lines = out.placements.map((p, k) => `${k + 1}. x ${p.x}, y ${p.y}, scale ${p.scale.toFixed(2)}, score ${p.score.toPrecision(3)}`);
    if (heatmapPath) lines.push(`wrote ${heatmapPath}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
};

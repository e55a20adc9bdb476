// `lamina generate --task layers --spec spec.json --out out.ora|out.psd|DIR [--json]`:
// ART (issue 17): one prompt and anonymous boxes -> a background and one transparent
// layer per box, as a group. The spec: {"prompt", "boxes": [[x, y, w, h], ...], "width",
// "height", "seed"?, "steps"?, "guidance"?, "packId"?}; seed left out = random (reported),
// steps = the pack's default. DIR = a PNG stack: 001 the background, then one file per box
// in box order, each at canvas size (+ composite.png, manifest.json).
import { randomInt } from 'node:crypto';
import { basename, extname, resolve } from 'node:path';
import type { AddLayersResult } from '../../common/contract/task-results.ts';
import { LayersSpec } from '../../common/contract/task-specs.ts';
import { Seed, Steps } from '../../common/contract/limit-schemas.ts';
import type { Engine, EngineOptions } from '../engine/engine.ts';
import { readPackModel } from '../engine/runtime/pack-model.ts';
import { loadPackRegistry } from '../engine/runtime/pack-registry.ts';
import { CliUsageError, documentOutputFormat, printJson } from './cli-output.ts';
import { runJobToEnd } from './run-job.ts';
import { readSpecFile } from './spec-file.ts';

const LayersSpecFile = LayersSpec.extend({ seed: Seed.optional(), steps: Steps.optional() });

export async function generateLayers(values: { spec?: string; out?: string; json: boolean }, engine: (o?: Partial<EngineOptions>) => Engine): Promise<number> {
  if (!values.spec || !values.out) throw new CliUsageError('generate --task layers needs --spec spec.json and --out OUT(.ora|.psd|DIR)');
  const file = await readSpecFile(LayersSpecFile, values.spec);
  const format = documentOutputFormat(values.out);
  const e = engine();
  const seed = file.seed ?? randomInt(0, 2 ** 32);
  const steps = file.steps ?? readPackModel((await loadPackRegistry(e.options.packDirs)).resolve(file.packId, 'art')).scheduler.defaultSteps;
  const spec = { ...file, seed, steps };
  const out = resolve(values.out);
  const doc = await e.call('document.new', { width: spec.width, height: spec.height, name: basename(out, extname(out)) });
  const final = await runJobToEnd(e, { task: 'layers', docId: doc.docId, spec }, values.json, 'layer generation');
  const result = final.result as AddLayersResult;
  const written = format === 'ora'
    ? [(await e.call('document.save', { docId: doc.docId, path: out, overwrite: true })).path]
    : (await e.call('export.run', { docId: doc.docId, format, path: out })).paths;
  const summary = {
    ok: true, written, seed, seedRandom: file.seed === undefined, steps, provider: result.provider, timings: result.timings, notes: result.notes,
    group: result.group?.name, layers: result.layers.map(({ rgba: _rgba, provenance: _p, ...meta }) => meta),
  };
  if (values.json) printJson(summary);
  else process.stdout.write(`wrote ${written.length > 2 ? `${written.length} files in ${out}` : written.join(', ')} (${result.layers.length - 1} box layers + background, seed ${seed}${file.seed === undefined ? ', random' : ''}, ${steps} steps, ${result.provider}, ${Math.round(result.timings.total_ms ?? 0)} ms)\n`);
  return 0;
}

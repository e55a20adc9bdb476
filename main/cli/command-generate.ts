import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { decodeImage } from '../engine/imaging/image-codec.ts';
import type { GenerationResult } from '../../common/contract/task-results.ts';
import { GenerationSpecFile, type GenerationSpec } from '../../common/contract/generation-spec.ts';
import { randomInt } from 'node:crypto';
import { loadPackRegistry } from '../engine/runtime/pack-registry.ts';
import { readPackModel } from '../engine/runtime/pack-model.ts';
import type { Engine } from '../engine/engine.ts';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { generateLayers } from './generate-layers.ts';
import { parseCommandArgs, type Command } from './lamina.ts';
import { runJobToEnd } from './run-job.ts';
import { readSpecFile } from './spec-file.ts';

export const commandGenerate: Command = async (args, engine) => {
  const { values } = parseCommandArgs({
    args,
    options: { spec: { type: 'string' }, out: { type: 'string' }, task: { type: 'string', default: 'generate' }, json: { type: 'boolean', default: false }, 'lora-strength': { type: 'string' }, lora: { type: 'string' } },
  });
  if (values.task === 'layers') return generateLayers(values, engine);
  if (values.task !== 'generate') throw new CliUsageError(`--task is generate or layers (got "${values.task}")`);
  if (!values.spec || !values.out) throw new CliUsageError('generate needs --spec spec.json and --out OUT(.ora|.psd|.png)');
  const file = await readSpecFile(GenerationSpecFile, values.spec);
  const format = outputFormat(values.out);
  const e = engine();
  const spec = await withLora(await withDefaults(file, e, dirname(resolve(values.spec))), e, values.lora, values['lora-strength']);
  const doc = await e.call('document.new', { width: spec.width, height: spec.height, name: basename(values.out, extname(values.out)) });
  const final = await runJobToEnd(e, { task: 'generate', docId: doc.docId, spec }, values.json);
  const out = resolve(values.out);
  const result = final.result as GenerationResult; // parsed by the engine when the job finished
  const written = format === 'ora'
    ? [(await e.call('document.save', { docId: doc.docId, path: out, overwrite: true })).path]
    : format === 'png' && result.layers.length > 1
      ? await exportEachVariation(e, doc.docId, out)
      : (await e.call('export.run', { docId: doc.docId, format, path: out })).paths;
  const summary = {
    ok: true,
    written,
    seed: spec.seed,
    seedRandom: file.seed === undefined,
    /** every variation's seed (batch > 1), front layer first */
    seeds: result.layers.map((l) => l.provenance.seed),
    steps: spec.steps,
    provider: result.provider,
    timings: result.timings,
    notes: result.notes,
    /** "layers": true: the group the regions landed in */
    ...(result.group ? { group: result.group.name } : {}),
    layers: result.layers.map(({ rgba: _rgba, ...meta }) => meta),
  };
  if (values.json) printJson(summary);
  else process.stdout.write(`wrote ${written.join(', ')} (seed${result.layers.length > 1 ? `s ${summary.seeds.join(', ')}` : ` ${spec.seed}`}${file.seed === undefined ? ', random' : ''}, ${spec.steps} steps, ${result.provider}, ${Math.round(result.timings.total_ms ?? 0)} ms)\n`);
  return 0;
};

/** What the file left out: a random seed (reported), the pack's default step count, the
 * init image's size; init files (relative to the spec's folder) read into raw RGBA. */
async function withDefaults(file: GenerationSpecFile, e: Engine, specDir: string): Promise<GenerationSpec> {
  const seed = file.seed ?? randomInt(0, 2 ** 32);
  const steps = file.steps ?? readPackModel((await loadPackRegistry(e.options.packDirs)).resolve(file.packId, 'text-to-image')).scheduler.defaultSteps;
  const read = async (path: string, what: string) => {
    const full = resolve(specDir, path);
    const bytes = await readFile(full).catch((err: Error) => { throw new LaminaError('not_found', `${what} ${full}: ${err.message.split('\n')[0]}`); });
    const img = await decodeImage(bytes, `${what} ${path}`);
    return { width: img.width, height: img.height, rgba: img.data };
  };
  const image = file.init ? await read(file.init.image, 'init image') : null;
  const mask = file.init?.mask ? await read(file.init.mask, 'init mask') : undefined;
  const width = file.width ?? image?.width;
  const height = file.height ?? image?.height;
  if (width === undefined || height === undefined) throw new LaminaError('bad_request', `${file.width === undefined ? 'width' : 'height'}: required (or give an init image to take its size)`);
  return { ...file, seed, steps, width, height, init: image ? { image, ...(mask ? { mask } : {}), strength: file.init!.strength } : undefined };
}

/** `--lora-strength S` (`--lora ID`: which of the pack's adapters; default its first): the
 * adapter into the spec, replacing the spec file's entry for it. */
async function withLora(spec: GenerationSpec, e: Engine, id: string | undefined, strength: string | undefined): Promise<GenerationSpec> {
  if (strength === undefined) {
    if (id !== undefined) throw new CliUsageError('--lora ID needs --lora-strength S');
    return spec;
  }
  const s = Number(strength);
  if (strength.trim() === '' || !Number.isFinite(s) || s < 0 || s > 2) throw new CliUsageError(`--lora-strength is a number in [0, 2] (got "${strength}")`);
  const pack = readPackModel((await loadPackRegistry(e.options.packDirs)).resolve(spec.packId, 'text-to-image'));
  const ids = Object.keys(pack.adapters);
  const use = id ?? ids[0];
  if (!use || !pack.adapters[use]) throw new LaminaError('bad_request', `model pack "${pack.id}" has ${use ? `no adapter "${use}" (adapters: ${ids.join(', ') || 'none'})` : 'no LoRA adapter (--lora-strength needs a pack that ships one)'}`);
  return { ...spec, adapters: [...(spec.adapters ?? []).filter((a) => a.id !== use), { id: use, strength: s }] };
}

/** Variations into a .png: one file per variation, named after its seed (out-<seed>.png),
 * each with only its own layer showing. */
async function exportEachVariation(e: Engine, docId: string, out: string): Promise<string[]> {
  const { document } = await e.call('document.get', { docId });
  const paths: string[] = [];
  for (const layer of document.layers) {
    const seed = layer.provenance?.seed ?? paths.length + 1;
    await e.call('document.mutate', { docId, history: 'ignore', ops: document.layers.map((l) => ({ op: 'update' as const, id: l.id, patch: { visible: l.id === layer.id } })) });
    const path = join(dirname(out), `${basename(out, extname(out))}-${seed}.png`);
    paths.push(...(await e.call('export.run', { docId, format: 'png', path })).paths);
  }
  return paths;
}

function outputFormat(path: string): 'ora' | 'psd' | 'png' {
  const ext = extname(path).toLowerCase();
  if (ext === '.ora' || ext === '.psd' || ext === '.png') return ext.slice(1) as 'ora' | 'psd' | 'png';
  throw new CliUsageError(`--out must end in .ora, .psd or .png (got "${basename(path)}")`);
}

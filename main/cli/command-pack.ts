// `lamina pack convert FOLDER --out PACK [--dtype fp16|fp32] [--id ID] [--json]`: a diffusers
// folder (SD3 / SD3.5, FLUX.1) -> a verified Lamina pack, through the Python recipe
// models/recipes/convert_diffusers.py (torch, diffusers, transformers, onnx: the CLI checks
// them first and says how to install them). The new pack is verified like any other.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import { REPO_ROOT } from '../engine/engine-defaults.ts';
import { estimatePackMemory } from '../engine/runtime/pack-memory.ts';
import { diffusionManifest } from '../engine/runtime/pack-model.ts';
import { verifyPack } from '../engine/runtime/pack-registry.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import type { Command } from './lamina.ts';
import { parseCommandArgs } from './lamina.ts';

const PYTHON = () => process.env.LAMINA_PYTHON ?? 'python3';
export const CONVERTER_MODULES = ['torch', 'diffusers', 'transformers', 'tokenizers', 'safetensors', 'onnx', 'onnxruntime'];

/** null when the converter's Python can run; else a message that says what is missing and how to install it. */
export function converterPythonProblem(): string | null {
  const py = PYTHON();
  const r = spawnSync(py, ['-c', `import importlib.util as u, sys; m = [n for n in ${JSON.stringify(CONVERTER_MODULES)} if u.find_spec(n) is None]; print(' '.join(m)); sys.exit(1 if m else 0)`], { encoding: 'utf8' });
  if (r.error) return `${py} not found (${r.error.message}); install Python 3.10+ and run: ${py} -m pip install -r ${join(REPO_ROOT, 'models', 'recipes', 'requirements.txt')} (or set LAMINA_PYTHON)`;
  if (r.status !== 0) return `${py} lacks ${r.stdout.trim() || 'the converter requirements'}; install them with: ${py} -m pip install -r ${join(REPO_ROOT, 'models', 'recipes', 'requirements.txt')}`;
  return null;
}

async function convert(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args, allowPositionals: true,
    options: { out: { type: 'string' }, dtype: { type: 'string', default: 'fp32' }, id: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const folder = positionals[0];
  if (!folder || !values.out) throw new CliUsageError('usage: lamina pack convert FOLDER --out PACK [--dtype fp16|fp32] [--id ID] [--json]');
  if (values.dtype !== 'fp16' && values.dtype !== 'fp32') throw new CliUsageError(`--dtype must be fp16 or fp32 (got ${values.dtype})`);
  if (!existsSync(join(folder, 'model_index.json'))) throw new LaminaError('not_found', `${folder}: no model_index.json (point lamina pack convert at a diffusers folder)`);
  const problem = converterPythonProblem();
  if (problem) throw new LaminaError('unsupported', `lamina pack convert needs Python with the recipe requirements: ${problem}`);
  const py = ['-m', 'models.recipes.convert_diffusers', resolve(folder), '--out', resolve(values.out), '--dtype', values.dtype, '--json', ...(values.id ? ['--id', values.id] : [])];
  const report = await new Promise<string>((ok, fail) => {
    const child = spawn(PYTHON(), py, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', values.json ? 'ignore' : 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(out) : fail(new LaminaError('internal', `convert_diffusers exited with status ${code}${values.json ? ' (run without --json to see its log)' : ''}`))));
  });
  const pack = await verifyPack(resolve(values.out));
  const last = report.trim().split('\n').pop() ?? '{}';
  const conversion = JSON.parse(last) as Record<string, unknown>;
  const m = diffusionManifest(pack);
  const memory = estimatePackMemory(m);
  if (values.json) printJson({ ok: true, id: pack.id, dir: pack.dir, family: m.components.transformer.family, memoryBytes: memory.bytes, conversion });
  else process.stdout.write(`converted ${folder} -> ${pack.dir}: pack "${pack.id}" (${m.components.transformer.family}, ${m.native.width}x${m.native.height} native, needs ~${(memory.bytes / 2 ** 30).toFixed(2)} GiB), verified\n`);
  return 0;
}

export const commandPack: Command = async (args) => {
  const [sub, ...rest] = args;
  if (sub === 'convert') return convert(rest);
  throw new CliUsageError(`unknown pack command "${sub ?? ''}" (try: lamina pack convert FOLDER --out PACK)`);
};

// The converted tiny real-family packs (SD3, FLUX) that parity tests run on: built with
// Python (models/recipes/tiny_diffusers.py -> convert_diffusers.py) where the recipe
// requirements are installed, cached under .cache/realpacks/ keyed by the recipes'
// source, so a changed converter rebuilds them. Where Python lacks them: a skip reason.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const REAL_PACKS_CACHE = join(REPO_ROOT, '.cache', 'realpacks');
export type RealFamily = 'sd3' | 'flux';
/** The tiny configurations of models/recipes/tiny_diffusers.py: SD3 Medium, SD3.5 Medium (dual
 * attention + q/k RMSNorm), SD3.5 Large (q/k RMSNorm), FLUX.1; the SD3.5 ones are family sd3. */
export type RealVariant = 'sd3' | 'sd35' | 'sd35-large' | 'flux';
export const realVariantFamily = (v: RealVariant): RealFamily => (v === 'flux' ? 'flux' : 'sd3');

const RECIPES = ['tiny_diffusers.py', 'convert_diffusers.py'].map((f) => join(REPO_ROOT, 'models', 'recipes', f));

let pythonOk: string | null | undefined;

/** null when python3 has torch, diffusers, transformers, onnx and onnxruntime; else why not. */
export function realPackPythonMissing(): string | null {
  if (pythonOk !== undefined) return pythonOk;
  const r = spawnSync('python3', ['-c', 'import torch, diffusers, transformers, tokenizers, onnx, onnxruntime'], { encoding: 'utf8' });
  pythonOk = r.status === 0 ? null : `python3 lacks the converter's requirements (pip install -r models/recipes/requirements.txt): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return pythonOk;
}

export function runPython(args: string[], timeoutMs = 300_000): string {
  const r = spawnSync('python3', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, PYTHONWARNINGS: 'ignore', OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed (${r.status}): ${(r.stderr || '').trim().split('\n').slice(-8).join('\n')}`);
  return r.stdout;
}

function recipeKey(): string {
  const h = createHash('sha256');
  for (const f of RECIPES) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

/** The variant's tiny diffusers folder and its converted pack `tiny-VARIANT` (built once per recipe version). */
export function tinyRealPack(variant: RealVariant): { diffusers: string; pack: string } {
  const root = join(REAL_PACKS_CACHE, `${variant}-${recipeKey()}`);
  const diffusers = join(root, 'diffusers');
  const pack = join(root, 'pack');
  if (existsSync(join(pack, 'manifest.json'))) return { diffusers, pack };
  const tmp = `${root}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  runPython(['-m', 'models.recipes.tiny_diffusers', '--family', variant, '--out', join(tmp, 'diffusers')]);
  runPython(['-m', 'models.recipes.convert_diffusers', join(tmp, 'diffusers'), '--out', join(tmp, 'pack'), '--id', `tiny-${variant}`, '--json']);
  rmSync(root, { recursive: true, force: true });
  renameSync(tmp, root);
  // the converter wrote the diffusers path into the manifest's about: harmless after the move
  return { diffusers, pack };
}

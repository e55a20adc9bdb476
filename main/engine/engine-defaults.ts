// Where the engine looks for packs and keeps recovery files, unless told otherwise.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EngineOptions } from './engine.ts';

export const REPO_ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

export function laminaHome(): string {
  return process.env.LAMINA_HOME ?? join(homedir(), '.lamina');
}

export function defaultEngineOptions(): EngineOptions {
  const extra = process.env.LAMINA_PACKS ? process.env.LAMINA_PACKS.split(':') : [];
  return {
    packDirs: [join(REPO_ROOT, 'models'), join(laminaHome(), 'packs'), ...extra],
    recoveryDir: join(laminaHome(), 'recovery'),
    autosaveMs: 30_000,
  };
}

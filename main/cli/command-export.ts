import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ExportFormat } from '../../common/contract/contract.ts';
import { exportTargetProblem } from '../../common/contract/export-target.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { parseCommandArgs, type Command } from './lamina.ts';

const TARGETS: Record<string, ExportFormat> = { psd: 'psd', ora: 'ora', 'png-stack': 'png-stack', png: 'png' };

/** The path with symlinks resolved as far as it exists (so a link to the input is the input). */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Why `out` must not be written, before anything is read: the input itself (never, even
 * with --force), a mismatched extension, or an existing other file without --force. */
export function exportRefusal(format: ExportFormat, out: string, input: string, force: boolean): string | null {
  const problem = exportTargetProblem(format, canonical(out), canonical(input));
  if (problem) return problem;
  if (!force && existsSync(out)) {
    const isDir = statSync(out).isDirectory();
    if (!isDir || readdirSync(out).length > 0) return `${out} already exists: pass --force to replace it`;
  }
  return null;
}

export const commandExport: Command = async (args, engine) => {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      psd: { type: 'string' }, ora: { type: 'string' }, 'png-stack': { type: 'string' }, png: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new CliUsageError('export needs exactly one input file: lamina export IN.ora|IN.psd --psd OUT');
  const targets = Object.entries(TARGETS)
    .filter(([flag]) => typeof values[flag as keyof typeof values] === 'string')
    .map(([flag, format]) => ({ format, out: resolve(values[flag as keyof typeof values] as string) }));
  if (targets.length === 0) throw new CliUsageError('say where to export: --psd OUT, --ora OUT, --png-stack DIR or --png OUT');
  const input = resolve(positionals[0]);
  // every target is checked before the first is written
  for (const { format, out } of targets) {
    const refusal = exportRefusal(format, out, input, values.force);
    if (refusal) throw new CliUsageError(refusal);
  }
  const e = engine();
  const snap = await e.call('document.open', { path: input });
  const written: string[] = [];
  for (const { format, out } of targets) {
    const { paths } = await e.call('export.run', { docId: snap.docId, format, path: out });
    written.push(...paths);
  }
  if (values.json) printJson({ ok: true, input: positionals[0], layers: snap.document.layers.length, written });
  else process.stdout.write(written.map((p) => `wrote ${p}`).join('\n') + '\n');
  return 0;
};

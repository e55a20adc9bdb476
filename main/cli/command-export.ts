import { resolve } from 'node:path';
import type { ExportFormat } from '../../common/contract/contract.ts';
import { CliUsageError, printJson } from './cli-output.ts';
import { parseCommandArgs, type Command } from './lamina.ts';

const TARGETS: Record<string, ExportFormat> = { psd: 'psd', ora: 'ora', 'png-stack': 'png-stack', png: 'png' };

export const commandExport: Command = async (args, engine) => {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      psd: { type: 'string' }, ora: { type: 'string' }, 'png-stack': { type: 'string' }, png: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new CliUsageError('export needs exactly one input file: lamina export IN.ora|IN.psd --psd OUT');
  const targets = Object.entries(TARGETS).filter(([flag]) => typeof values[flag as keyof typeof values] === 'string');
  if (targets.length === 0) throw new CliUsageError('say where to export: --psd OUT, --ora OUT, --png-stack DIR or --png OUT');
  const e = engine();
  const snap = await e.call('document.open', { path: resolve(positionals[0]) });
  const written: string[] = [];
  for (const [flag, format] of targets) {
    const out = resolve(values[flag as keyof typeof values] as string);
    const { paths } = await e.call('export.run', { docId: snap.docId, format, path: out });
    written.push(...paths);
  }
  if (values.json) printJson({ ok: true, input: positionals[0], layers: snap.document.layers.length, written });
  else process.stdout.write(written.map((p) => `wrote ${p}`).join('\n') + '\n');
  return 0;
};

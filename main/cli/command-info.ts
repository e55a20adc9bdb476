import type { Command } from './lamina.ts';
import { parseCommandArgs } from './lamina.ts';
import { printJson } from './cli-output.ts';

export const commandInfo: Command = async (args, engine) => {
  const { values } = parseCommandArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const info = await engine().call('app.info', {});
  if (values.json) {
    printJson(info);
    return 0;
  }
  const lines = [
    `lamina ${info.version} (node ${info.node}, onnxruntime-node ${info.onnxruntime ?? 'not installed'})`,
    `execution providers: ${info.providers.map((p) => `${p.name}${p.bundled ? '' : ' (not bundled)'}`).join(', ') || 'none'}`,
    'model packs:',
    ...(info.packs.length ? info.packs.map((p) => `  ${p.id} ${p.version} ${p.ok ? 'verified' : `FAILED: ${p.error}`}${p.ok ? ` ${p.family ?? '?'} ${p.native ? `${p.native.width}x${p.native.height}` : ''} ${p.dtype ?? ''}${p.memoryBytes !== undefined ? ` ~${(p.memoryBytes / 2 ** 30).toFixed(2)} GiB` : ''}` : ''} [${p.pipelines.join(', ') || 'no pipelines'}] ${p.dir}`) : ['  (none found)']),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
};

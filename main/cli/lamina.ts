// `lamina` command line. Each command calls the engine directly, through the contract.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Engine } from '../engine/engine.ts';
import { defaultEngineOptions } from '../engine/engine-defaults.ts';
import { CliUsageError, reportError } from './cli-output.ts';
import { commandInfo } from './command-info.ts';
import { commandExport } from './command-export.ts';
import { commandServe } from './command-serve.ts';
import { commandGenerate } from './command-generate.ts';
import { commandBench } from './command-bench.ts';
import { commandPlace } from './command-place.ts';

export const USAGE = `usage: lamina <command> [options]

commands:
  info [--json]                               packs, execution providers, versions
  export IN (--psd OUT | --ora OUT | --png-stack DIR | --png OUT) [--json]
                                              convert between .ora, .psd, PNG stack, PNG
  serve [--host H] [--port P] [--json]        the editor in a browser + the WebSocket API
  generate --spec spec.json --out OUT [--json] run a generation job
  place --background bg.png|doc.ora --object obj.png [--top 5] [--heatmap out.png] [--json]
                                              where the object plausibly goes (x, y, scale, score)
  bench [--json] [--pack DIR] [--device D] [--steps N] [--no-torch]
                                              runtime speed (ORT vs PyTorch, GEMM peak)
`;

export type Command = (args: string[], engine: () => Engine) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  info: commandInfo,
  export: commandExport,
  serve: commandServe,
  generate: commandGenerate,
  bench: commandBench,
  place: commandPlace,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) return reportError(new CliUsageError(`unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})`), json);
  let engine: Engine | null = null;
  const getEngine = () => (engine ??= new Engine({ ...defaultEngineOptions(), autosaveMs: name === 'serve' ? 30_000 : 0 }));
  try {
    return await command(rest, getEngine);
  } catch (err) {
    return reportError(err, json);
  } finally {
    if (engine && name !== 'serve') await (engine as Engine).close();
  }
}

/** parseArgs that turns its errors into usage errors. */
export function parseCommandArgs<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>(config);
  } catch (err) {
    throw new CliUsageError((err as Error).message.split('\n')[0]);
  }
}

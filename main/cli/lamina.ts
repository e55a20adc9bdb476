// `lamina` command line. Each command calls the engine directly, through the contract.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Engine, type EngineOptions } from '../engine/engine.ts';
import { defaultEngineOptions } from '../engine/engine-defaults.ts';
import { CliUsageError, reportError } from './cli-output.ts';
import { commandInfo } from './command-info.ts';
import { commandExport } from './command-export.ts';
import { commandServe } from './command-serve.ts';
import { commandGenerate } from './command-generate.ts';
import { commandBench } from './command-bench.ts';
import { commandPack } from './command-pack.ts';
import { commandPlace } from './command-place.ts';
import { commandDecompose } from './command-decompose.ts';
import { commandTextEdit } from './command-text-edit.ts';

export const USAGE = `usage: lamina <command> [options]

commands:
  info [--json]                               packs, execution providers, versions
  export IN (--psd OUT | --ora OUT | --png-stack DIR | --png OUT) [--force] [--json]
                                              convert between .ora, .psd, PNG stack, PNG;
                                              never over IN; --force replaces an existing OUT
  serve [--host H] [--port P] [--allow-dir DIR]... [--json]
                                              the editor in a browser + the WebSocket API;
                                              file paths only inside the current folder and DIRs
  generate --spec spec.json --out OUT [--json] run a generation job (a spec may leave out
                                              seed: random, reported; steps: the pack's default)
  generate ... --lora-strength S [--lora ID]   with the pack's LoRA adapter (default its first) at
                                              strength S in [0, 2] (0 = without it)
  generate --task layers --spec spec.json --out out.ora|out.psd|DIR [--json]
                                              ART: {"prompt", "boxes": [[x, y, w, h], ...], ...}
                                              -> background + one transparent layer per box;
                                              DIR = PNG stack, background first, boxes in order
  place --background bg.png|doc.ora --object obj.png [--top 5] [--heatmap out.png] [--json]
                                              where the object plausibly goes (x, y, scale, score)
  decompose --image in.png|in.ora (--mask m.png | --box x,y,w,h | --all [--max-objects N]) --out out.ora|out.psd|DIR
            [--method model|inpaint] [--pack ID] [--force] [--json]
                                              background + the marked object as a layer;
                                              DIR = PNG stack, background at the bottom
  text-edit --in doc.ora|img.png [--layer NAME|INDEX] --from OLD --to NEW --out out.ora|out.psd|out.png
            [--blocks 0,2] [--start-step N] [--force] [--json]
                                              change one word of a generated layer's prompt,
                                              in place (K/V patching); INDEX 0 = the top layer
  bench [--json] [--pack DIR] [--device D] [--steps N] [--no-torch]
                                              runtime speed (ORT vs PyTorch, GEMM peak)
  pack convert FOLDER --out PACK [--dtype fp16|fp32] [--id ID] [--json]
                                              a diffusers folder (SD3, FLUX.1) -> a verified
                                              Lamina pack (needs Python: models/recipes/requirements.txt)

  --verbose (any command)                     also print the execution providers skipped
`;

/** `engine(overrides)` creates the engine on first use (overrides count only then). */
export type Command = (args: string[], engine: (overrides?: Partial<EngineOptions>) => Engine) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  info: commandInfo,
  export: commandExport,
  serve: commandServe,
  generate: commandGenerate,
  bench: commandBench,
  pack: commandPack,
  place: commandPlace,
  decompose: commandDecompose,
  'text-edit': commandTextEdit,
};

export async function main(argvIn: string[]): Promise<number> {
  // --verbose anywhere: also say which execution providers were skipped and why
  const argv = argvIn.filter((a) => a !== '--verbose');
  if (argv.length !== argvIn.length) process.env.LAMINA_VERBOSE = '1';
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) return reportError(new CliUsageError(`unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})`), json);
  let engine: Engine | null = null;
  const getEngine = (overrides: Partial<EngineOptions> = {}) => (engine ??= new Engine({ ...defaultEngineOptions(), autosaveMs: name === 'serve' ? 30_000 : 0, ...overrides }));
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

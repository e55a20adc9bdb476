import { resolve } from 'node:path';
import { startServer } from '../server/server.ts';
import { printJson } from './cli-output.ts';
import { parseCommandArgs, type Command } from './lamina.ts';
import { CliUsageError } from './cli-output.ts';

export const commandServe: Command = async (args, engine) => {
  const { values } = parseCommandArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7860' },
      'allow-dir': { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(`--port must be 0-65535, got "${values.port}"`);
  // file paths over the WebSocket stay inside the folder serve started in and each --allow-dir
  const fileRoots = [process.cwd(), ...values['allow-dir'].map((d) => resolve(d))];
  const e = engine({ fileRoots });
  const server = await startServer({ engine: e, host: values.host, port });
  if (values.json) printJson({ url: server.url, host: server.host, port: server.port, token: server.token, fileRoots });
  else {
    process.stdout.write(`Lamina editor: open ${server.url}\n`);
    if (server.token) process.stdout.write(`(bound to ${server.host}: the token in this address is required)\n`);
    process.stdout.write(`files by path: only inside ${fileRoots.join(', ')} (add folders with --allow-dir DIR)\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await e.close();
  return 0;
};

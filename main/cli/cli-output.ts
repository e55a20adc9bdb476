// How the CLI talks: one-line errors on stderr, JSON on stdout with --json.
import { toErrorPayload } from '../../common/errors/lamina-error.ts';

export class CliUsageError extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function reportError(err: unknown, json: boolean): number {
  const payload = err instanceof CliUsageError ? { code: 'bad_request', message: err.message } : toErrorPayload(err);
  if (json) printJson({ ok: false, error: payload });
  else process.stderr.write(`lamina: ${payload.message}\n`);
  return err instanceof CliUsageError ? 2 : 1;
}

// How the CLI talks: one-line errors on stderr, JSON on stdout with --json.
import type { ExportFormat } from '../../common/contract/contract.ts';
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

/** A document output: a .ora or .psd file, or (no extension) a folder for a PNG stack. */
export function documentOutputFormat(out: string): ExportFormat {
  if (/\.ora$/i.test(out)) return 'ora';
  if (/\.psd$/i.test(out)) return 'psd';
  if (/\.[a-z0-9]{2,4}$/i.test(out)) throw new CliUsageError(`--out must be a .ora or .psd file or a folder (a PNG stack), not "${out}"`);
  return 'png-stack';
}

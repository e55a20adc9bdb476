// Reading a spec file's text; its own module so generation-spec.ts stays free of the
// contract (validate.ts imports the contract, which imports the task specs).
import { LaminaError, oneLineError } from '../errors/lamina-error.ts';
import { GenerationSpec } from './generation-spec.ts';
import { parseOrReject } from './validate.ts';

/** A spec file's text (what `lamina generate --spec` reads): JSON, then the schema; one-line errors. */
export function parseGenerationSpecJson(text: string, what: string): GenerationSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw oneLineError(new LaminaError('bad_request', `${what}: ${(err as Error).message.split('\n')[0]}`));
  }
  return parseOrReject(GenerationSpec, raw, what);
}

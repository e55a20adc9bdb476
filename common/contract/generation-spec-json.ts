// Reading a spec file's text; its own module so generation-spec.ts stays free of the
// contract (validate.ts imports the contract, which imports the task specs).
import type { z } from 'zod';
import { LaminaError, oneLineError } from '../errors/lamina-error.ts';
import { GenerationSpec } from './generation-spec.ts';
import { parseOrReject } from './validate.ts';

/** A spec file's text: JSON, then `schema`; one-line errors. */
export function parseSpecJson<S extends z.ZodType>(schema: S, text: string, what: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw oneLineError(new LaminaError('bad_request', `${what}: ${(err as Error).message.split('\n')[0]}`));
  }
  return parseOrReject(schema, raw, what);
}

/** A generation spec's text, complete (seed and steps given). */
export function parseGenerationSpecJson(text: string, what: string): GenerationSpec {
  return parseSpecJson(GenerationSpec, text, what);
}

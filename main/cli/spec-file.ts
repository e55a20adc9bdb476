// A job's spec file (--spec spec.json): read, parsed as JSON, checked against its schema;
// every problem is one line naming the file.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { parseSpecJson } from '../../common/contract/generation-spec-json.ts';
import { LaminaError } from '../../common/errors/lamina-error.ts';

export async function readSpecFile<S extends z.ZodType>(schema: S, path: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LaminaError('bad_request', `${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseSpecJson(schema, text, path);
}

// Schema checks at the edge: a payload that fails gets one clear line naming the field.
import type { z } from 'zod';
import { LaminaError } from '../errors/lamina-error.ts';
import { contract, isMethod, type Input, type Method } from './contract.ts';

export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export function parseInput<M extends Method>(method: string, input: unknown): { method: M; input: z.output<(typeof contract)[M]['input']> } {
  if (!isMethod(method)) throw new LaminaError('bad_request', `unknown method "${method}"`);
  const parsed = contract[method].input.safeParse(input ?? {});
  if (!parsed.success) throw new LaminaError('bad_request', `${method}: ${describeZodError(parsed.error)}`);
  return { method: method as M, input: parsed.data as z.output<(typeof contract)[M]['input']> };
}

export type { Input };

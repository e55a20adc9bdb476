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

/** `input` checked against `schema`, or a bad_request error "<what>: <field>: <problem>". */
export function parseOrReject<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new LaminaError('bad_request', `${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export function parseInput<M extends Method>(method: string, input: unknown): { method: M; input: z.output<(typeof contract)[M]['input']> } {
  if (!isMethod(method)) throw new LaminaError('bad_request', `unknown method "${method}"`);
  return { method: method as M, input: parseOrReject(contract[method].input, input ?? {}, method) as z.output<(typeof contract)[M]['input']> };
}

export type { Input };

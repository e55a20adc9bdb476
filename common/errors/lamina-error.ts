// Errors are values at the edges: a stable code plus a message a person can act on.
export const ERROR_CODES = [
  'bad_request', // payload failed its schema
  'not_found', // document, job, pack or file missing
  'bad_file', // malformed, truncated or hostile input file
  'unsupported', // valid file using a feature Lamina cannot import
  'too_large', // dimensions or sizes past the limits
  'io_error', // read-only target, full disk, permission
  'exists', // the target file exists and replacing it was not asked for
  'bad_op', // a document edit that cannot apply
  'bad_pack', // model pack failed verification
  'no_pipeline', // no pipeline for this pack / task
  'provider_failed', // execution provider could not start
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class LaminaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'LaminaError';
  }
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

/** Turns anything thrown into the one-line payload that crosses a transport. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof LaminaError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: message.split('\n')[0] };
}

/** A value from a file, fit to quote in a one-line message: control characters escaped, at most `max` characters. */
export function quoted(value: unknown, max = 80): string {
  const s = String(value ?? '').replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${s.length > max ? `${s.slice(0, max)}…` : s}"`;
}

/** The same error with its message made one line of at most 1000 characters: what every
 * file importer's error is at the edge, whatever a file put into it. (Values a file supplies
 * are shortened where they are quoted, with `quoted`; a generic cut of "..." runs would also
 * cut the text between two quoted values.) */
export function oneLineError(err: LaminaError): LaminaError {
  let m = err.message.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => (c === '\n' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  if (m.length > 1000) m = `${m.slice(0, 999)}…`;
  return m === err.message ? err : new LaminaError(err.code, m, err.details);
}

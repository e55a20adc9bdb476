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

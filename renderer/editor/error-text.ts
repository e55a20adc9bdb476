// What a designer reads when something fails: a title in words for each error code (the
// code itself stays in the toast's data-code for tests and bug reports) and the engine's
// message without a developer prefix ("bad_request: ", "Error: "). Every code of
// common/errors/lamina-error.ts has a title; a code from a newer engine reads as a plain
// failure, never as "bad request:".
import type { ErrorCode } from '../../common/errors/lamina-error.ts';

const TITLES: Record<ErrorCode, string> = {
  bad_request: "Can't do that", not_found: 'Not found', bad_file: 'Unreadable file', unsupported: 'Not supported',
  too_large: 'Too large', io_error: "Couldn't write the file", exists: 'File exists', bad_op: "Can't change that",
  bad_pack: 'Model pack problem', no_pipeline: 'Not available yet', provider_failed: 'Device problem',
  cancelled: 'Cancelled', internal: 'Something went wrong',
};

export function errorTitle(code: string | undefined): string | null {
  if (!code) return null;
  return Object.prototype.hasOwnProperty.call(TITLES, code) ? TITLES[code as ErrorCode] : 'Something went wrong';
}

/** The message without a leading developer prefix ("bad_request: ", "bad request: ", "Error: "). */
export function humanMessage(message: string): string {
  const m = message.replace(/^(?:(?:[A-Za-z]*Error|[a-z]+_[a-z_]+|bad request)\s*:\s*)+/i, '').trim();
  return m || message;
}

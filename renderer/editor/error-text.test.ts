import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES } from '../../common/errors/lamina-error.ts';
import { errorTitle, humanMessage } from './error-text.ts';

test('error titles: every code reads as words, never as the code ("bad request:")', () => {
  for (const code of [...ERROR_CODES, 'some_new_code']) {
    const title = errorTitle(code)!;
    assert.ok(title && !/_/.test(title) && !/bad request/i.test(title), `${code} -> ${title}`);
  }
  assert.equal(errorTitle('bad_request'), "Can't do that");
  assert.equal(errorTitle(undefined), null);
});

test('humanMessage: a developer prefix is dropped, the engine\'s words kept', () => {
  assert.equal(humanMessage('bad_request: prompt has a word the model does not know: "cta" (closest: cat)'), 'prompt has a word the model does not know: "cta" (closest: cat)');
  assert.equal(humanMessage('bad request: Steps must be at most 200'), 'Steps must be at most 200');
  assert.equal(humanMessage('Error: bad_request: x'), 'x');
  assert.equal(humanMessage('refusing to export over the input file'), 'refusing to export over the input file');
});

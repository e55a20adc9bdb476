import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBias, instanceBias, layeredBias, MASK, regionalMaskBias, slotTextMask, textLayout, uncondBias } from './attention-bias.ts';

// Joint sequence of the tests: text slots [global: 2 tokens, region 0: 1, region 1: 1],
// then a 2x2 token grid. Region 0 = top row (tokens 0, 1), region 1 = right column (1, 3):
// they overlap in token 1. Columns:  g g s0 s1 | i0 i1 i2 i3   ('.' attend, 'x' masked)
const layout = textLayout([2, 1, 1]);
const masks = [Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([0, 1, 0, 1])];
const grid = (rows: string[]) => Float32Array.from(rows.join('').replace(/ /g, ''), (c) => (c === 'x' ? MASK : 0));
const show = (b: Float32Array, J = 8) => Array.from({ length: J }, (_, q) => Array.from(b.subarray(q * J, q * J + J), (v) => (v === 0 ? '.' : v === MASK ? 'x' : '?')).join(''));
const same = (actual: Float32Array, rows: string[]) => assert.deepEqual(show(actual), show(grid(rows)));

test('textLayout / slotTextMask: slots laid end to end; text_mask selects slots', () => {
  assert.deepEqual(layout, { offsets: [0, 2, 3], lengths: [2, 1, 1], textLen: 4 });
  assert.deepEqual([...slotTextMask(layout, [0])], [1, 1, 0, 0]);
  assert.deepEqual([...slotTextMask(layout, [0, 2])], [1, 1, 0, 1]);
  assert.throws(() => textLayout([2, 0]), /positive integer/);
});

test('buildBias: 0 = attend, MASK = blocked; the diagonal always attends', () => {
  const none = buildBias(layout, 4, () => false);
  assert.equal(none.length, 64);
  for (let q = 0; q < 8; q++) for (let k = 0; k < 8; k++) assert.equal(none[q * 8 + k], q === k ? 0 : MASK);
  assert.ok(buildBias(layout, 4, () => true).every((v) => v === 0));
});

test('instanceBias: region tokens see their prompt + the whole image; the rest is background', () => {
  same(instanceBias(layout, masks, 0), [
    '..xx xx..', // global prompt <-> outside region 0
    '..xx xx..',
    'xx.x ..xx', // region 0's prompt <-> region 0's tokens
    'xxx. xxxx', // region 1's prompt: unused in this branch (itself only)
    'xx.x ....', // token 0 (in region 0): own prompt + every image token (shared background)
    'xx.x ....', // token 1
    '..xx xx..', // token 2 (background): global prompt + image outside region 0
    '..xx xx..', // token 3
  ]);
  same(instanceBias(layout, masks, 1), [
    '..xx .x.x',
    '..xx .x.x',
    'xx.x xxxx',
    'xxx. x.x.',
    '..xx .x.x',
    'xxx. ....',
    '..xx .x.x',
    'xxx. ....',
  ]);
});

test('layeredBias: a layer sees its prompt, its whole region and what lies behind it, never the layers in front', () => {
  // region 1 in front of region 0: back to front = [0, 1]
  same(layeredBias(layout, masks, 0, [0, 1]), [
    '..xx ....', // global prompt: global path
    '..xx ....',
    'xx.x ..xx', // region 0's prompt <-> region 0
    'xxx. xxxx',
    'xx.x ...x', // token 0: own prompt, own region (token 1 too, though occluded), background token 2; not token 3 (in front)
    'xx.x ...x',
    '..xx ....', // outside region 0: global path
    '..xx ....',
  ]);
  same(layeredBias(layout, masks, 1, [0, 1]), [
    '..xx ....',
    '..xx ....',
    'xx.x xxxx',
    'xxx. x.x.',
    '..xx ....',
    'xxx. ....', // front layer: nothing in front, sees the whole image
    '..xx ....',
    'xxx. ....',
  ]);
  // swapped order: now region 0 is in front, so region 1's tokens lose token 0
  same(layeredBias(layout, masks, 1, [1, 0]), [
    '..xx ....',
    '..xx ....',
    'xx.x xxxx',
    'xxx. x.x.',
    '..xx ....',
    'xxx. x...',
    '..xx ....',
    'xxx. x...',
  ]);
  assert.throws(() => layeredBias(layout, masks, 1, [0]), /not in the order/);
});

test('regionalMaskBias: baseline (b), regional prompting mask over the joint sequence', () => {
  same(regionalMaskBias(layout, masks), [
    '.... ....', // global prompt attends everything
    '.... ....',
    'xx.x ..xx', // region prompts <-> their region
    'xxx. x.x.',
    '...x ..xx', // token 0 (region 0): global + region 0 prompt, region 0's tokens
    '.... ..x.', // token 1 (both regions): both prompts, tokens of either region
    '..xx xx.x', // token 2 (background): global prompt, background tokens
    '..x. x.x.', // token 3 (region 1)
  ]);
});

test('uncondBias: same image-to-image structure, text open', () => {
  same(uncondBias(instanceBias(layout, masks, 0), 4, 4), [
    '.... ....',
    '.... ....',
    '.... ....',
    '.... ....',
    '.... ....',
    '.... ....',
    '.... xx..',
    '.... xx..',
  ]);
});

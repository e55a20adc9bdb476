import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, encodeFrame } from './binary-frame.ts';

test('a message with byte arrays becomes one binary frame and comes back equal (nested, several, non-ASCII text)', () => {
  const a = new Uint8Array([1, 2, 3, 250]);
  const b = new Uint8Array(1024 * 1024 * 4).fill(7);
  const msg = { id: 3, ok: true, output: { width: 1024, height: 1024, rgba: b, layers: [{ name: 'Straße ☀ 😀', rgba: a }] } };
  const frame = encodeFrame(msg);
  assert.ok(frame instanceof Uint8Array, 'binary frame');
  assert.ok(frame.byteLength < b.byteLength + 300, `no base64: ${frame.byteLength} bytes for ${b.byteLength} of pixels`);
  const back = decodeFrame(frame) as typeof msg;
  assert.equal(back.output.layers[0].name, 'Straße ☀ 😀');
  assert.deepEqual([...back.output.layers[0].rgba], [1, 2, 3, 250]);
  assert.ok(back.output.rgba instanceof Uint8Array);
  assert.equal(back.output.rgba.byteLength, b.byteLength);
  assert.equal(back.output.rgba[b.byteLength - 1], 7);
  // from an ArrayBuffer (the browser's binaryType) too
  const copy = frame.slice().buffer;
  assert.equal((decodeFrame(copy) as typeof msg).output.width, 1024);
});

test('a message without bytes stays a JSON text frame; a broken binary frame is an error', () => {
  const msg = { event: 'document.changed', payload: { docId: 'd', version: 2 } };
  const frame = encodeFrame(msg);
  assert.equal(typeof frame, 'string');
  assert.deepEqual(decodeFrame(frame), msg);
  const good = encodeFrame({ rgba: new Uint8Array(16) }) as Uint8Array;
  assert.throws(() => decodeFrame(good.subarray(0, good.byteLength - 4)), /shorter than its header/);
  assert.throws(() => decodeFrame(new Uint8Array(2)), /too short/);
});

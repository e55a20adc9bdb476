import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLamina, pngHeaderOnly } from '../document/test-documents.ts';
import { decodeImage, encodePng, resizeToFit } from './image-codec.ts';
import type { RgbaImage } from './rgba-image.ts';

test('PNG encode/decode is pixel exact, including colour under zero alpha', async () => {
  const img: RgbaImage = { width: 3, height: 2, data: new Uint8Array([1, 2, 3, 4, 200, 100, 50, 0, 9, 8, 7, 255, 0, 0, 0, 0, 255, 255, 255, 128, 10, 20, 30, 40]) };
  const back = await decodeImage(await encodePng(img));
  assert.equal(back.width, 3);
  assert.equal(back.height, 2);
  assert.deepEqual([...back.data], [...img.data]);
});

test('a 100000x100000 PNG header is refused before decoding', async () => {
  await assert.rejects(decodeImage(pngHeaderOnly(100_000, 100_000)), isLamina('too_large', /100000x100000/));
  await assert.rejects(decodeImage(pngHeaderOnly(16_385, 1)), isLamina('too_large'));
});

test('garbage and truncated images are bad_file', async () => {
  await assert.rejects(decodeImage(new Uint8Array([1, 2, 3, 4])), isLamina('bad_file'));
  const png = await encodePng({ width: 8, height: 8, data: new Uint8Array(256).fill(90) });
  await assert.rejects(decodeImage(png.subarray(0, png.length - 30)), isLamina('bad_file'));
});

test('resizeToFit keeps aspect and never upscales', async () => {
  const img: RgbaImage = { width: 600, height: 300, data: new Uint8Array(600 * 300 * 4).fill(200) };
  const small = await resizeToFit(img, 256);
  assert.deepEqual([small.width, small.height], [256, 128]);
  assert.equal(await resizeToFit(small, 256), small);
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { readFlatImage } from './cli-images.ts';

const FIX = join(import.meta.dirname, '..', 'engine', 'pipelines', 'fixtures', 'decompose', '1-image.png');

test('readFlatImage converts 16-bit and CMYK pictures to 8-bit sRGB and says so; an 8-bit sRGB picture needs no note; a missing file is one clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-images-'));
  const plain = await readFlatImage(FIX, 'image');
  assert.deepEqual(plain.notes, []);
  const deep = join(dir, 'deep.png');
  await sharp(FIX).toColourspace('rgb16').png().toFile(deep);
  const d = await readFlatImage(deep, 'image');
  assert.deepEqual(d.notes, ['image: 16-bit channels converted to 8-bit']);
  assert.equal(d.image.data.length, 128 * 128 * 4);
  let diff = 0;
  for (let i = 0; i < d.image.data.length; i++) diff = Math.max(diff, Math.abs(d.image.data[i] - plain.image.data[i]));
  assert.ok(diff <= 1, `the same pixels (max diff ${diff})`);
  const cmyk = join(dir, 'cmyk.jpg');
  await sharp(FIX).toColourspace('cmyk').jpeg().toFile(cmyk);
  const c = await readFlatImage(cmyk, 'image');
  assert.deepEqual(c.notes, ['image: CMYK converted to sRGB']);
  assert.equal(c.image.data.length, 128 * 128 * 4);
  await assert.rejects(readFlatImage(join(dir, 'nope.png'), 'mask'), /mask ".*nope.png" does not exist/);
});

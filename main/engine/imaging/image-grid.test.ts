import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gridImage, inRows } from './image-grid.ts';
import { createRgbaImage } from './rgba-image.ts';

test('gridImage tiles cells row-major with gaps of background; larger images are cropped to the cell', () => {
  const red = createRgbaImage(4, 4, [255, 0, 0, 255]);
  const big = createRgbaImage(6, 6, [0, 0, 255, 255]);
  const g = gridImage([[red, big], [red]], 4, 1, [0, 0, 0, 255]);
  assert.deepEqual([g.width, g.height], [2 * 4 + 3, 2 * 4 + 3]);
  const at = (x: number, y: number) => [...g.data.subarray((y * g.width + x) * 4, (y * g.width + x) * 4 + 4)];
  assert.deepEqual(at(1, 1), [255, 0, 0, 255]); // first cell
  assert.deepEqual(at(6, 1), [0, 0, 255, 255]); // second cell, cropped to 4 x 4
  assert.deepEqual(at(5, 1), [0, 0, 0, 255]); // the gap between them
  assert.deepEqual(at(10, 1), [0, 0, 0, 255]); // right margin: the crop did not spill
  assert.deepEqual(at(1, 6), [255, 0, 0, 255]); // second row
  assert.deepEqual(at(6, 6), [0, 0, 0, 255]); // short last row: background
});

test('inRows splits a list into rows of a given length', () => {
  assert.deepEqual(inRows([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(inRows([], 3), []);
});

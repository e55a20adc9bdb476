import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ObjectJudge, type ShapeTemplates } from '../../evaluation/object-judge.ts';
import { loadWorldSpec } from '../../evaluation/world-spec.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import { makeLayouts, renderLayout, scoreLayout, type Layout } from './measure-layerbind.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const world = loadWorldSpec(join(REPO, 'models', 'lamina-tiny', 'world.json'));
const templates: ShapeTemplates = JSON.parse(readFileSync(join(REPO, 'main', 'engine', 'evaluation', 'shape-templates.json'), 'utf8'));
const captions = JSON.parse(readFileSync(join(REPO, 'main', 'engine', 'evaluation', 'fixtures', 'test-captions.json'), 'utf8'));

test('makeLayouts: >= 200 held-out layouts, 2-4 regions, distinct colours, boxes inside, most overlapping, deterministic', () => {
  const layouts = makeLayouts(captions, world, 240, 128);
  assert.equal(layouts.length, 240);
  assert.deepEqual([2, 3, 4].map((R) => layouts.filter((l) => l.regions.length === R).length), [80, 80, 80]);
  const overlaps = (a: number[], b: number[]) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
  let overlapping = 0;
  for (const l of layouts) {
    const colours = l.regions.map((r) => r.object.colour);
    assert.equal(new Set(colours).size, colours.length);
    assert.ok(!colours.includes(/on a (\w+)/.exec(l.background)![1]));
    for (const r of l.regions) {
      const [x, y, w, h] = r.box;
      assert.ok(x >= 0 && y >= 0 && x + w <= 128 && y + h <= 128 && w > 0);
    }
    assert.deepEqual([...l.order].sort(), l.regions.map((r) => r.id).sort());
    if (l.regions.some((a, i) => l.regions.some((b, j) => i < j && overlaps(a.box, b.box)))) overlapping++;
  }
  assert.ok(overlapping / layouts.length > 0.7, `only ${overlapping} of 240 layouts overlap`);
  assert.deepEqual(makeLayouts(captions, world, 5, 128), layouts.slice(0, 5));
  // the global prompt lists the objects back to front, like the world's captions
  const l = layouts[0];
  const back = l.regions.find((r) => r.id === l.order[l.order.length - 1])!;
  assert.ok(l.prompt.startsWith(back.prompt), l.prompt);
});

test('scoreLayout: found / pixels / occlusion on a drawn scene; the order decides which colour must win the overlap', () => {
  const size = 128;
  const img: RgbaImage = { width: size, height: size, data: new Uint8Array(size * size * 4) };
  const fill = (box: number[], rgb: readonly number[]) => {
    for (let y = box[1]; y < box[1] + box[3]; y++) for (let x = box[0]; x < box[0] + box[2]; x++) img.data.set([...rgb, 255], (y * size + x) * 4);
  };
  fill([0, 0, size, size], world.colours.green);
  const blue = { id: 'b', box: [50, 50, 40, 40] as [number, number, number, number], prompt: 'a large blue square', object: { colour: 'blue', shape: 'square', size: 'large' } };
  const red = { id: 'r', box: [20, 20, 40, 40] as [number, number, number, number], prompt: 'a large red square', object: { colour: 'red', shape: 'square', size: 'large' } };
  fill(blue.box, world.colours.blue);
  fill(red.box, world.colours.red); // red drawn last: red is in front
  const judge = new ObjectJudge(world, templates);
  const layout: Layout = { seed: 1, prompt: 'x', background: 'on a green background', regions: [red, blue], order: ['r', 'b'] };
  const s = scoreLayout(judge, world, templates, img, layout);
  assert.equal(s.found[0], 1);
  assert.deepEqual(s.pixels, [1, 1]);
  assert.deepEqual(s.occlusion, [1]);
  assert.deepEqual(s.occlusionLenient, [1]);
  assert.deepEqual(scoreLayout(judge, world, templates, img, { ...layout, order: ['b', 'r'] }).occlusion, [0]);
  // a region whose object is missing scores 0
  const missing = { ...blue, id: 'p', object: { colour: 'pink', shape: 'star', size: 'large' } };
  assert.deepEqual(scoreLayout(judge, world, templates, img, { ...layout, regions: [red, missing], order: ['r', 'p'] }).pixels, [1, 0]);
});

test('strict occlusion: out-colouring the back object is not enough, the front one must cover the contested pixels', () => {
  const size = 128;
  const judge = new ObjectJudge(world, templates);
  const front = { id: 'f', box: [20, 20, 40, 40] as [number, number, number, number], prompt: '', object: { colour: 'red', shape: 'square', size: 'large' } };
  const back = { id: 'k', box: [40, 40, 40, 40] as [number, number, number, number], prompt: '', object: { colour: 'blue', shape: 'square', size: 'large' } };
  const layout: Layout = { seed: 1, prompt: 'x', background: 'on a green background', regions: [front, back], order: ['f', 'k'] };
  const paint = (cells: [number[], readonly number[]][]) => {
    const img: RgbaImage = { width: size, height: size, data: new Uint8Array(size * size * 4) };
    for (const [b, rgb] of [[[0, 0, size, size], world.colours.green] as [number[], readonly number[]], ...cells]) {
      for (let y = b[1]; y < b[1] + b[3]; y++) for (let x = b[0]; x < b[0] + b[2]; x++) img.data.set([...rgb, 255], (y * size + x) * 4);
    }
    return img;
  };
  // the overlap [40, 60) x [40, 60): red paints a third of it, blue a tenth, the rest is background
  const weak = paint([[[40, 40, 20, 7], world.colours.red], [[40, 58, 20, 2], world.colours.blue]]);
  assert.deepEqual(scoreLayout(judge, world, templates, weak, layout).occlusionLenient, [1]);
  assert.deepEqual(scoreLayout(judge, world, templates, weak, layout).occlusion, [0]);
  const covered = paint([[[40, 40, 40, 40], world.colours.blue], [[20, 20, 40, 40], world.colours.red]]);
  assert.deepEqual(scoreLayout(judge, world, templates, covered, layout).occlusion, [1]);
  // two circles whose boxes overlap only at the corners: no pixel lies in both shapes, no pair to judge
  const corner = { ...layout, regions: [{ ...front, object: { ...front.object, shape: 'circle' } }, { ...back, box: [52, 52, 40, 40] as [number, number, number, number], object: { ...back.object, shape: 'circle' } }] };
  const s = scoreLayout(judge, world, templates, covered, corner);
  assert.deepEqual(s.occlusion, []);
  assert.equal(s.occlusionLenient.length, 1);
});

test('renderLayout: layout picture with the front box on top', () => {
  const layout: Layout = {
    seed: 1, prompt: 'x', background: 'on a green background', order: ['r', 'b'],
    regions: [
      { id: 'r', box: [2, 2, 6, 6], prompt: '', object: { colour: 'red', shape: 'square', size: 'small' } },
      { id: 'b', box: [4, 4, 6, 6], prompt: '', object: { colour: 'blue', shape: 'square', size: 'small' } },
    ],
  };
  const pic = renderLayout(layout, world, 12);
  const at = (x: number, y: number) => [...pic.data.subarray((y * 12 + x) * 4, (y * 12 + x) * 4 + 3)];
  assert.deepEqual(at(5, 5), [...world.colours.red]); // overlap: red is in front
  assert.deepEqual(at(8, 8), [...world.colours.blue]);
});

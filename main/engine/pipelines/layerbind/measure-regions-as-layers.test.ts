// The regions-as-layers judge on made-up layers: a layer holding its own object scores,
// one holding its neighbour's does not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ObjectJudge, type ShapeTemplates } from '../../evaluation/object-judge.ts';
import { loadWorldSpec } from '../../evaluation/world-spec.ts';
import type { Layout } from './measure-layerbind.ts';
import { judgeRegionLayers } from './measure-regions-as-layers.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const world = loadWorldSpec(join(REPO, 'models', 'lamina-tiny', 'world.json'));
const templates: ShapeTemplates = JSON.parse(readFileSync(join(REPO, 'main', 'engine', 'evaluation', 'shape-templates.json'), 'utf8'));
const S = 64;

test('judge: own colour share inside the alpha, holds (its colour beats the neighbours\'), captured share of the composite\'s pixels', () => {
  const judge = new ObjectJudge(world, templates);
  const red = world.colours.red, blue = world.colours.blue, white = world.colours.white;
  const layout: Layout = {
    seed: 1, prompt: '', background: 'on a white background', order: ['a', 'b'],
    regions: [
      { id: 'a', box: [0, 0, 32, 32], prompt: 'a large red square', object: { colour: 'red', shape: 'square', size: 'large' } },
      { id: 'b', box: [32, 32, 32, 32], prompt: 'a large blue square', object: { colour: 'blue', shape: 'square', size: 'large' } },
    ],
  };
  const layer = (fill: (x: number, y: number) => number[] | null) => {
    const rgba = new Uint8Array(S * S * 4);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) { const c = fill(x, y); if (c) rgba.set([...c, 255], (y * S + x) * 4); }
    return { rgba };
  };
  const composite = { width: S, height: S, data: layer((x, y) => (x < 32 && y < 32 && x >= 8 && y >= 8 ? red : x >= 32 && y >= 32 && x < 56 && y < 56 ? blue : white)).rgba };
  // a: its box cut out (red on white, as the inpaint method cuts it); b: holds red by mistake
  const a = layer((x, y) => (x < 32 && y < 32 ? (x >= 8 && y >= 8 ? red : white) : null));
  const b = layer((x, y) => (x >= 40 && y >= 40 && x < 56 && y < 56 ? red : null));
  const [sa, sb] = judgeRegionLayers(judge, world, layout, [a, b], composite);
  assert.equal(sa.holds, 1);
  assert.ok(Math.abs(sa.own - (24 * 24) / (32 * 32)) < 0.01, `own share ${sa.own}`);
  assert.equal(sa.captured, 1);
  assert.ok(sa.present);
  assert.equal(sb.holds, 0, 'a layer holding its neighbour\'s colour does not hold its own object');
  assert.equal(sb.own, 0);
  assert.equal(sb.captured, 0);
  assert.ok(sb.present, 'the composite shows blue in b\'s box');
});

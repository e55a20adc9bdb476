// The judge must be right on real world renders before it may judge generated images.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_JUDGE_OPTIONS, ObjectJudge, judgeAgainstRequest, type ShapeTemplates } from './object-judge.ts';

// these tests request a subset of a scene's objects (the clean ones): the others are not clutter
const SUBSET = { maxExtra: Infinity };
import { loadWorldSpec } from './world-spec.ts';

const HERE = import.meta.dirname;
const world = loadWorldSpec(join(HERE, '..', '..', '..', 'models', 'lamina-tiny', 'world.json'));
const templates: ShapeTemplates = JSON.parse(readFileSync(join(HERE, 'shape-templates.json'), 'utf8'));
const FIX = join(HERE, 'fixtures', 'test-scenes');
interface Truth {
  file: string;
  objects: { colour: string; shape: string; visible: number; opacity: number; stroke: boolean }[];
}
const truth: Truth[] = JSON.parse(readFileSync(join(FIX, 'truth.json'), 'utf8'));

async function load(file: string) {
  const { data, info } = await sharp(join(FIX, file)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

test('judges colour and shape of unoccluded opaque objects in held-out renders', async () => {
  const judge = new ObjectJudge(world, templates);
  let n = 0, colour = 0, shape = 0;
  const misses: string[] = [];
  for (const scene of truth) {
    const clean = scene.objects.filter((o) => o.visible >= 0.95 && o.opacity >= 0.99);
    if (clean.length === 0) continue;
    const found = judge.detect(await load(scene.file));
    const j = judgeAgainstRequest(found, clean, SUBSET);
    n += clean.length;
    colour += j.colourHits;
    shape += j.shapeHits;
    if (j.shapeHits < clean.length) misses.push(`${scene.file}: want ${clean.map((o) => `${o.colour} ${o.shape}`).join(', ')}; got ${found.map((d) => `${d.colour} ${d.shape} ${d.shapeScore.toFixed(2)}`).join(', ')}`);
  }
  console.log(`judge on ${n} clean objects: colour ${(100 * colour / n).toFixed(1)}%, shape ${(100 * shape / n).toFixed(1)}%`);
  if (misses.length) console.log(misses.slice(0, 8).join('\n'));
  assert.ok(n >= 100, `enough objects (${n})`);
  assert.ok(colour / n >= 0.95, `colour ${colour}/${n}`);
  assert.ok(shape / n >= 0.9, `shape ${shape}/${n}`);
});

test('finds translucent objects (palette colour mixed with the background behind it)', async () => {
  const score = async (translucent: boolean) => {
    const judge = new ObjectJudge(world, templates, { ...DEFAULT_JUDGE_OPTIONS, translucent });
    let n = 0, colour = 0, shape = 0;
    for (const scene of truth) {
      const want = scene.objects.filter((o) => o.visible >= 0.95 && o.opacity < 0.99);
      if (want.length === 0) continue;
      const j = judgeAgainstRequest(judge.detect(await load(scene.file)), want, SUBSET);
      n += want.length;
      colour += j.colourHits;
      shape += j.shapeHits;
    }
    return { n, colour: colour / n, shape: shape / n };
  };
  const on = await score(true);
  const off = await score(false);
  console.log(`translucent objects (${on.n}): colour ${(100 * on.colour).toFixed(1)}% (${(100 * off.colour).toFixed(1)}% without unmixing), shape ${(100 * on.shape).toFixed(1)}% (${(100 * off.shape).toFixed(1)}%)`);
  assert.ok(on.n >= 40, `enough translucent objects (${on.n})`);
  assert.ok(on.colour >= 0.6 && on.shape >= 0.45, JSON.stringify(on));
  assert.ok(on.colour - off.colour >= 0.2, `unmixing must matter: ${JSON.stringify({ on, off })}`);
});

test('counts objects in single-object scenes', async () => {
  const judge = new ObjectJudge(world, templates);
  const singles = truth.filter((s) => s.objects.length === 1 && s.objects[0].opacity >= 0.99);
  let right = 0;
  for (const s of singles) if (judge.detect(await load(s.file)).length === 1) right++;
  console.log(`count correct on ${right}/${singles.length} single opaque-object scenes`);
  assert.ok(singles.length >= 20);
  assert.ok(right / singles.length >= 0.9, `${right}/${singles.length}`);
});

test('a flat image has no objects; a wrong request scores zero', async () => {
  const judge = new ObjectJudge(world, templates);
  const flat = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4).fill(200) };
  assert.equal(judge.detect(flat).length, 0);
  const j = judgeAgainstRequest([{ colour: 'red', shape: 'star', shapeScore: 0.9, runnerUp: 0.5, box: [0, 0, 10, 10], area: 50 }], [{ colour: 'blue', shape: 'star' }]);
  assert.equal(j.colourHits, 0);
  assert.equal(j.shapeHits, 0);
});

test('a mosaic of token-sized patches shows no object, though it holds the requested colour as a square', () => {
  const judge = new ObjectJudge(world, templates);
  const W = 128, B = 16; // 16 px patches: what a DiT with 16 px tokens draws before it learns shapes
  const img = { width: W, height: W, data: new Uint8Array(W * W * 4) };
  const names = world.colour_order;
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let by = 0; by < W / B; by++) {
    for (let bx = 0; bx < W / B; bx++) {
      const rgb = world.colours[names[Math.floor(next() * names.length)]];
      for (let y = by * B; y < (by + 1) * B; y++) for (let x = bx * B; x < (bx + 1) * B; x++) img.data.set([...rgb, 255], (y * W + x) * 4);
    }
  }
  const red = world.colours.red; // one isolated patch of the requested colour, on a neutral ring
  const grey = world.colours[names.find((n) => n !== 'red')!];
  for (let y = 40; y < 88; y++) for (let x = 40; x < 88; x++) img.data.set([...(y >= 56 && y < 72 && x >= 56 && x < 72 ? red : grey), 255], (y * W + x) * 4);
  const found = judge.detect(img);
  const j = judgeAgainstRequest(found, [{ colour: 'red', shape: 'square' }]);
  assert.ok(found.length > 3, `the mosaic's patches are detected (${found.length})`);
  assert.equal(j.lenientShapeHits, 1, 'the lenient rule is fooled: a patch is a red square');
  assert.ok(j.cluttered);
  assert.equal(j.shapeHits, 0);
  assert.equal(j.colourHits, 0);
  const alone = judgeAgainstRequest(found.filter((d) => d.colour === 'red' && d.box[0] === 56), [{ colour: 'red', shape: 'square' }]);
  assert.equal(alone.shapeHits, 1, 'the same patch alone is a red square');
});

// The editor's placement controller on the in-memory client: the place job's heatmap
// shows only while a drag is live, a release near the hot spot snaps onto it (and one far
// away does not), suggestions become ghosts of the object's visible box, and choosing one
// commits the layer rect at that scale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from '../editor.ts';
import { MemoryClient } from '../testing/memory-client.ts';
import type { Layer } from '../../../common/document/document-schema.ts';

const raster = (id: string, x = 0, y = 0): Layer => ({ id, name: id, kind: 'raster', imageId: id, x, y, width: 20, height: 20, visible: true, opacity: 1, blendMode: 'normal', locked: false, provenance: null });

async function setup() {
  const client = new MemoryClient();
  const editor = new Editor({ client });
  await editor.newDocument(64, 64, 'T');
  await editor.mutate([{ op: 'add', layer: raster('bg'), index: 0 }, { op: 'add', layer: raster('obj', 0, 0), index: 0 }]);
  editor.store.set({ packs: [{ id: 'lamina-place', version: '0.1.0', dir: '/x', ok: true, error: null, pipelines: ['placement'] }] });
  // an 8 x 8 heatmap over the 64 x 64 document: one hot cell at (i 5, j 2) = doc (20, 44)
  const values = new Array(64).fill(0.001);
  values[5 * 8 + 2] = 0.5;
  let n = 0;
  const starts: unknown[] = [];
  client.overrides['jobs.start'] = (input) => {
    starts.push(input);
    const jobId = `p${++n}`;
    queueMicrotask(() => client.emit('job.event', {
      jobId, state: 'done',
      result: { landing: 'artifact', artifact: { kind: 'heatmap', width: 8, height: 8, values, scale: 1, scales: [0.5, 1, 2], background: { width: 64, height: 64 }, box: { x0: 4, y0: 6, x1: 12, y1: 16 }, placements: [{ x: 12, y: 28, scale: 1, score: 0.5 }, { x: 40, y: 10, scale: 2, score: 0.1 }] } },
      provider: 'cpu',
    } as never));
    return { jobId };
  };
  return { client, editor, pl: editor.placement, starts };
}

test('placement: nothing happens on a drag until the live heatmap is on', async () => {
  const { pl, starts } = await setup();
  pl.dragStarted(['obj']);
  assert.equal(starts.length, 0);
  assert.deepEqual(pl.snap(['obj'], 3, 4), { dx: 3, dy: 4 });
});

test('placement: a live drag fetches the heatmap, shows it, and a release near the hot spot snaps onto it', async () => {
  const { pl, starts } = await setup();
  pl.setLive(true);
  await pl.refresh('obj');
  assert.equal(starts.length, 1);
  assert.deepEqual((starts[0] as { spec: unknown }).spec, { layerId: 'obj', scale: 1, top: 5 });
  pl.dragStarted(['obj']);
  assert.equal(pl.state.showHeatmap, true);
  assert.equal(starts.length, 1, 'the heatmap of an unchanged document is reused for the next drag');
  // box bottom-centre of the layer at (0, 0) is (8, 16); the hot cell centre is (20, 44)
  // a release at dx 10, dy 25 puts it at (18, 41): 1 cell away -> snaps to (dx 12, dy 28)
  assert.deepEqual(pl.snap(['obj'], 10, 25), { dx: 12, dy: 28 });
  // far away (more than 4 cells): no snap
  assert.deepEqual(pl.snap(['obj'], 50, -10), { dx: 50, dy: -10 });
  pl.dragEnded();
  assert.equal(pl.state.showHeatmap, false);
});

test('placement: suggestions are ghosts of the visible box; choosing one commits the layer rect at its scale', async () => {
  const { pl } = await setup();
  assert.equal(await pl.suggest('obj'), true);
  const g = pl.state.ghosts!;
  assert.equal(g.rects.length, 2);
  assert.deepEqual({ x: g.rects[1].x, y: g.rects[1].y, w: g.rects[1].width, h: g.rects[1].height }, { x: 48, y: 22, w: 16, h: 20 });
  assert.equal(pl.state.live, true);
  const committed: unknown[] = [];
  await pl.choose(1, async (id, rect) => void committed.push({ id, rect }));
  assert.deepEqual(committed, [{ id: 'obj', rect: { x: 40, y: 10, width: 40, height: 40 } }]);
  assert.equal(pl.state.ghosts, null);
});

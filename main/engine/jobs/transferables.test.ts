import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { transferables } from './transferables.ts';

test('whole-buffer byte arrays are transferred (the sender\'s copy detaches), pooled views are not', async () => {
  const rgba = new Uint8Array(64 * 64 * 4).fill(9);
  const pooled = Buffer.from('tiny'); // a view into Node's shared pool
  const result = { layers: [{ rgba }, { rgba }], image: { rgba: pooled } };
  const list = transferables(result);
  assert.deepEqual(list, [rgba.buffer], 'one entry per buffer, pool views left out');
  const { port1, port2 } = new MessageChannel();
  const got = new Promise<{ layers: { rgba: Uint8Array }[] }>((resolve) => port2.once('message', resolve));
  port1.postMessage(result, list);
  assert.equal(rgba.byteLength, 0, 'moved, not copied');
  const back = await got;
  assert.equal(back.layers[0].rgba.byteLength, 64 * 64 * 4);
  assert.equal(back.layers[1].rgba[0], 9);
  port1.close();
  port2.close();
});

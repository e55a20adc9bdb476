import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContractError, WsLaminaClient, type SocketLike } from './ws-client.ts';
import { IpcLaminaClient } from './ipc-client.ts';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  send(d: string) { this.sent.push(d); }
  close() { this.readyState = 3; this.onclose?.({}); }
  openNow() { this.readyState = 1; this.onopen?.({}); }
  reply(obj: unknown) { this.onmessage?.({ data: JSON.stringify(obj) }); }
}

test('url carries the token and the ws path', () => {
  assert.equal(WsLaminaClient.urlFor({ protocol: 'http:', host: '127.0.0.1:9', search: '?token=abc' }), 'ws://127.0.0.1:9/ws?token=abc');
  assert.equal(WsLaminaClient.urlFor({ protocol: 'https:', host: 'h', search: '' }), 'wss://h/ws');
});

test('calls queue until open, replies match by id, errors carry the engine code', async () => {
  const sockets: FakeSocket[] = [];
  const c = new WsLaminaClient({ url: 'ws://x/ws', createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s; } });
  const p1 = c.call('models.list', {});
  const p2 = c.call('document.get', { docId: 'd' });
  assert.equal(sockets[0].sent.length, 0);
  sockets[0].openNow();
  assert.equal(sockets[0].sent.length, 2);
  const [m1, m2] = sockets[0].sent.map((s) => JSON.parse(s));
  assert.equal(m1.method, 'models.list');
  sockets[0].reply({ id: m2.id, ok: false, error: { code: 'not_found', message: 'no document "d"' } });
  sockets[0].reply({ id: m1.id, ok: true, output: [] });
  assert.deepEqual(await p1, []);
  await assert.rejects(p2, (e: unknown) => e instanceof ContractError && e.code === 'not_found' && /no document/.test(e.message));
  c.close();
});

test('events reach listeners; unsubscribe works', () => {
  const s = new FakeSocket();
  const c = new WsLaminaClient({ url: 'ws://x/ws', createSocket: () => s });
  s.openNow();
  const got: unknown[] = [];
  const off = c.on('document.changed', (e) => got.push(e));
  s.reply({ event: 'document.changed', payload: { docId: 'a', version: 2 } });
  off();
  s.reply({ event: 'document.changed', payload: { docId: 'a', version: 3 } });
  assert.deepEqual(got, [{ docId: 'a', version: 2 }]);
  c.close();
});

test('a dropped socket fails calls in flight and reconnects', async () => {
  const sockets: FakeSocket[] = [];
  const c = new WsLaminaClient({ url: 'ws://x/ws', backoffMs: 5, createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s; } });
  const states: string[] = [];
  c.onState((s) => states.push(s));
  sockets[0].openNow();
  const p = c.call('models.list', {});
  sockets[0].close();
  await assert.rejects(p, /connection to the engine was lost/);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sockets.length, 2);
  sockets[1].openNow();
  assert.deepEqual(states, ['open', 'closed', 'connecting', 'open']);
  c.close();
});

test('ipc client forwards calls and parses wrapped errors', async () => {
  const c = new IpcLaminaClient({
    call: async (m) => {
      if (m === 'document.get') throw new Error("Error invoking remote method 'lamina:call': Error: not_found: no document \"x\"");
      return { ok: m };
    },
    on: () => () => undefined,
  });
  assert.deepEqual(await c.call('models.list', {}), { ok: 'models.list' });
  await assert.rejects(c.call('document.get', { docId: 'x' }), (e: unknown) => e instanceof ContractError && e.code === 'not_found' && e.message === 'no document "x"');
});

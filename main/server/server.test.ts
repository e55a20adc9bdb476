import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tempEngine, type TempEngine } from '../engine/testing/temp-engine.ts';
import { startServer, type RunningServer } from './server.ts';
import { connectWs } from './ws-test-client.ts';

let t: TempEngine;
let server: RunningServer;
before(async () => {
  t = tempEngine();
  const root = join(t.dir, 'static');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Lamina</title>');
  server = await startServer({ engine: t.engine, port: 0, staticRoot: root });
});
after(async () => {
  await server.close();
  await t.dispose();
});

const wsUrl = (s: RunningServer, token?: string) => `ws://127.0.0.1:${s.port}/ws${token ? `?token=${token}` : ''}`;

test('serves the renderer and refuses paths outside it', async () => {
  assert.equal(server.token, null, 'loopback needs no token');
  const res = await fetch(`http://127.0.0.1:${server.port}/`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Lamina/);
  const evil = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fpackage.json`);
  assert.notEqual(evil.status, 200);
});

test('contract over WebSocket: calls, schema errors, events', async () => {
  const c = await connectWs(wsUrl(server));
  try {
    const snap = (await c.call('document.new', { width: 32, height: 16 })) as { docId: string; document: { width: number } };
    assert.equal(snap.document.width, 32);
    await assert.rejects(c.call('document.new', { width: 'wide' }), (e: Error & { code?: string }) => e.code === 'bad_request' && /width/.test(e.message));
    await assert.rejects(c.call('fs.readFile', { path: '/etc/passwd' }), /unknown method/);
    await c.call('document.mutate', { docId: snap.docId, ops: [{ op: 'rename-document', name: 'x' }] });
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(c.events.some((e) => e.event === 'document.changed'));
  } finally {
    c.close();
  }
});

test('raw pixels over WebSocket: putImage and document.image travel as binary frames, not base64 PNG', async () => {
  const c = await connectWs(wsUrl(server));
  try {
    const { docId } = (await c.call('document.new', { width: 8, height: 8 })) as { docId: string };
    const rgba = new Uint8Array(8 * 4 * 4).map((_, i) => i);
    const put = (await c.call('document.putImage', { docId, image: { width: 8, height: 4, rgba } })) as { imageId: string };
    assert.equal(c.binaryFrames(), 0);
    const img = (await c.call('document.image', { docId, imageId: put.imageId })) as { width: number; height: number; rgba: Uint8Array };
    assert.equal(c.binaryFrames(), 1, 'the reply came as one binary frame');
    assert.deepEqual([img.width, img.height], [8, 4]);
    assert.deepEqual([...img.rgba], [...rgba]);
    await assert.rejects(c.call('document.putImage', { docId, image: { width: 8, height: 8, rgba } }), /128 bytes; 8x8 RGBA needs 256/);
  } finally {
    c.close();
  }
});

test('binding a non-loopback address requires the printed token', async () => {
  const open = await startServer({ engine: t.engine, host: '0.0.0.0', port: 0 });
  try {
    assert.match(open.token ?? '', /^[0-9a-f]{48}$/);
    assert.match(open.url, new RegExp(`token=${open.token}`));
    assert.equal((await fetch(`http://127.0.0.1:${open.port}/health`)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${open.port}/health?token=${open.token}`)).status, 200);
    await assert.rejects(connectWs(wsUrl(open)), /401|Unexpected|socket/);
    await assert.rejects(connectWs(wsUrl(open, 'f'.repeat(48))), /401|Unexpected|socket/);
    const c = await connectWs(wsUrl(open, open.token!));
    assert.ok(Array.isArray(await c.call('document.list', {})));
    c.close();
  } finally {
    await open.close();
  }
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tempEngine, type TempEngine } from '../engine/testing/temp-engine.ts';
import WebSocket from 'ws';
import { MAX_HEADER_BYTES, MAX_MESSAGE_BYTES, MAX_URL_CHARS, startServer, type RunningServer } from './server.ts';
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

/** Raw HTTP (node's fetch cannot set Host or send an Origin the way a page does). */
function rawRequest(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The status line the server answers a WebSocket upgrade with (101 = accepted). */
function upgradeStatus(port: number, headers: Record<string, string>, path = '/ws'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1', port, path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

test('WebSocket upgrade: a page on another origin is refused (403), the server\'s own origin and non-browser clients are not', async () => {
  const own = `http://127.0.0.1:${server.port}`;
  assert.equal(await upgradeStatus(server.port, { origin: 'http://evil.example' }), 403);
  assert.equal(await upgradeStatus(server.port, { origin: `http://127.0.0.1:${server.port + 1}` }), 403, 'another port is another origin');
  assert.equal(await upgradeStatus(server.port, { origin: 'null' }), 403, 'a sandboxed iframe or file:// page');
  assert.equal(await upgradeStatus(server.port, { origin: own }), 101);
  assert.equal(await upgradeStatus(server.port, { host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` }), 101);
  assert.equal(await upgradeStatus(server.port, {}), 101, 'no Origin: a non-browser client (CLI, tests)');
  // the ws client library with a forged Origin gets the same answer
  await assert.rejects(connectWsWithOrigin(wsUrl(server), 'http://evil.example'), /403/);
});

test('DNS rebinding: a Host header that is not this server is refused on HTTP and on the upgrade', async () => {
  const evilHost = `evil.example:${server.port}`;
  assert.equal((await rawRequest(server.port, { path: '/', headers: { host: evilHost } })).status, 403);
  assert.equal(await upgradeStatus(server.port, { host: evilHost, origin: `http://${evilHost}` }), 403, 'Origin equals Host, but the Host is not ours');
  assert.equal((await rawRequest(server.port, { path: '/', headers: { host: `127.0.0.1:${server.port}` } })).status, 200);
  assert.equal((await rawRequest(server.port, { path: '/', headers: { host: `localhost:${server.port}` } })).status, 200);
});

test('HTTP limits: GET/HEAD only, no bodies, bounded address and headers', async () => {
  assert.equal((await rawRequest(server.port, { method: 'POST', path: '/', body: 'x', headers: { 'content-type': 'text/plain' } })).status, 405);
  assert.equal((await rawRequest(server.port, { method: 'PUT', path: '/index.html', body: 'x' })).status, 405);
  assert.equal((await rawRequest(server.port, { method: 'GET', path: '/', headers: { 'content-length': '5' }, body: 'hello' })).status, 413);
  assert.equal((await rawRequest(server.port, { path: `/${'a'.repeat(MAX_URL_CHARS)}` })).status, 414);
  assert.equal((await rawRequest(server.port, { path: '/', headers: { 'x-big': 'b'.repeat(MAX_HEADER_BYTES + 10) } })).status, 431);
  assert.equal((await rawRequest(server.port, { method: 'HEAD', path: '/' })).status, 200);
});

test('WebSocket message limit: a message past maxMessageBytes closes that socket (1009); the server and other clients go on', async () => {
  const small = await startServer({ engine: t.engine, port: 0, maxMessageBytes: 4096 });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${small.port}/ws`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ id: 1, method: 'document.new', input: { width: 8, height: 8, name: 'n'.repeat(8000) } }));
    assert.equal(await closed, 1009);
    const c = await connectWs(`ws://127.0.0.1:${small.port}/ws`);
    const snap = (await c.call('document.new', { width: 8, height: 8, name: 'n'.repeat(1000) })) as { document: { name: string } };
    assert.equal(snap.document.name.length, 1000, 'a message under the limit still works');
    c.close();
  } finally {
    await small.close();
  }
  assert.equal(MAX_MESSAGE_BYTES, 256 * 1024 * 1024);
});

test('file paths over the WebSocket stay inside the server\'s folders (symlinks resolved), and writes keep their format\'s name', async () => {
  const inside = join(t.dir, 'inside');
  const outside = join(t.dir, 'outside');
  mkdirSync(inside);
  mkdirSync(outside);
  const rooted = tempEngine({ fileRoots: [inside] });
  const s = await startServer({ engine: rooted.engine, port: 0 });
  const c = await connectWs(`ws://127.0.0.1:${s.port}/ws`);
  try {
    const { docId } = (await c.call('document.new', { width: 8, height: 8 })) as { docId: string };
    assert.deepEqual(await c.call('document.save', { docId, path: join(inside, 'a.ora') }), { path: join(inside, 'a.ora') });
    assert.ok(existsSync(join(inside, 'a.ora')));
    await c.call('document.open', { path: join(inside, 'a.ora') });
    writeFileSync(join(outside, 'secret.png'), 'not really a png');
    await assert.rejects(c.call('document.open', { path: join(outside, 'secret.png') }), /outside the folders this server may use/);
    await assert.rejects(c.call('document.open', { path: join(inside, '..', 'outside', 'secret.png') }), /outside the folders/);
    await assert.rejects(c.call('document.import', { docId, path: join(outside, 'secret.png') }), /outside the folders/);
    await assert.rejects(c.call('document.save', { docId, path: join(outside, 'b.ora') }), /outside the folders/);
    await assert.rejects(c.call('export.run', { docId, format: 'psd', path: join(outside, 'b.psd') }), /outside the folders/);
    assert.equal(existsSync(join(outside, 'b.ora')) || existsSync(join(outside, 'b.psd')), false, 'nothing written outside');
    symlinkSync(outside, join(inside, 'link'));
    await assert.rejects(c.call('document.open', { path: join(inside, 'link', 'secret.png') }), /outside the folders/);
    await assert.rejects(c.call('export.run', { docId, format: 'png', path: join(inside, 'link', 'c.png') }), /outside the folders/);
    await assert.rejects(c.call('document.open', { path: '/etc/passwd' }), /not a file Lamina opens/);
    await assert.rejects(c.call('export.run', { docId, format: 'psd', path: join(inside, '.bashrc') }), /must go to a file ending in \.psd/);
    await assert.rejects(c.call('document.recover', { path: join(rooted.dir, 'recovery', '..', 'inside', 'a.ora') }), /not a recovery file/);
    assert.ok(existsSync(join(inside, 'a.ora')), 'a path that climbs out of the recovery folder is not removed');
  } finally {
    c.close();
    await s.close();
    await rooted.dispose();
  }
});

async function connectWsWithOrigin(url: string, origin: string): Promise<void> {
  const ws = new WebSocket(url, { origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { ws.close(); resolve(); });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

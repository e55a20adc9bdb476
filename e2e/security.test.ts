// A hostile web page in real headless Chromium against a real `lamina serve`: a page on
// another origin (and a DNS-rebinding page whose name resolves to 127.0.0.1) must not open
// the engine's WebSocket nor read the editor; the editor's own origin still connects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildRenderer, CHROMIUM, startServe, WsContract, type Served } from './harness.ts';

let served: Served;
let evil: Server;
let evilPort: number;
let context: BrowserContext;
let profile: string;

// the attacker's page: tries the engine's WebSocket and reports what happened
const EVIL_PAGE = (target: string) => `<!doctype html><title>evil</title><script>
window.result = new Promise((resolve) => {
  const ws = new WebSocket(${JSON.stringify(target)});
  ws.onopen = () => { ws.send(JSON.stringify({ id: 1, method: 'document.new', input: { width: 8, height: 8, name: 'pwned' } })); setTimeout(() => resolve('open'), 500); };
  ws.onerror = () => resolve('error');
  ws.onclose = (e) => resolve('closed:' + e.code);
});
</script>`;

before(async () => {
  buildRenderer();
  served = await startServe();
  evil = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
    res.writeHead(200, { 'content-type': 'text/html' }).end(EVIL_PAGE(target));
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
  evilPort = (evil.address() as AddressInfo).port;
  profile = mkdtempSync(join(tmpdir(), 'lamina-e2e-profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // evil.example is the attacker's domain; its DNS answers 127.0.0.1 (a rebinding attack)
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP evil.example 127.0.0.1'],
  });
});

after(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  await new Promise((r) => evil?.close(r));
  await served?.stop();
});

async function attempt(pageUrl: string): Promise<{ page: Page; result: string }> {
  const page = await context.newPage();
  await page.goto(pageUrl);
  const result = (await page.evaluate('window.result')) as string;
  return { page, result };
}

async function documentNames(): Promise<string[]> {
  const c = new WsContract(served.port);
  try {
    return (await c.call('document.list', {})).map((d) => d.name);
  } finally {
    c.close();
  }
}

test('a page on another origin cannot open the engine WebSocket (the upgrade is refused, nothing runs)', async () => {
  for (const pageHost of [`evil.example:${evilPort}`, `127.0.0.1:${evilPort}`]) {
    const { page, result } = await attempt(`http://${pageHost}/?target=${encodeURIComponent(`ws://127.0.0.1:${served.port}/ws`)}`);
    assert.notEqual(result, 'open', `page at ${pageHost} got a WebSocket`);
    assert.match(result, /^(error|closed:1006)$/);
    await page.close();
  }
  assert.ok(!(await documentNames()).includes('pwned'), 'no document was created by the page');
});

test('DNS rebinding: evil.example resolving to 127.0.0.1 gets 403 for the editor and for the WebSocket', async () => {
  const page = await context.newPage();
  const res = await page.goto(`http://evil.example:${served.port}/`);
  assert.equal(res?.status(), 403, 'the editor is not served under a foreign name');
  await page.close();
  const { page: p2, result } = await attempt(`http://evil.example:${evilPort}/?target=${encodeURIComponent(`ws://evil.example:${served.port}/ws`)}`);
  assert.notEqual(result, 'open');
  await p2.close();
  assert.ok(!(await documentNames()).includes('pwned'));
});

test('the editor\'s own origin still connects from the same browser (control)', async () => {
  const page = await context.newPage();
  const res = await page.goto(`http://127.0.0.1:${served.port}/`);
  assert.equal(res?.status(), 200);
  const result = await page.evaluate(`new Promise((resolve) => {
    const ws = new WebSocket('ws://' + location.host + '/ws');
    ws.onopen = () => ws.send(JSON.stringify({ id: 7, method: 'document.new', input: { width: 8, height: 8, name: 'own-origin' } }));
    ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.id === 7) resolve(m.ok ? 'ok' : 'failed'); };
    ws.onerror = () => resolve('error');
  })`);
  assert.equal(result, 'ok');
  await page.close();
  assert.ok((await documentNames()).includes('own-origin'));
});

// The Electron checklist, checked without Electron's binary: main.ts is bundled as Electron
// would load it and run against a fake `electron` module that records what it is asked to
// do; then the window options, navigation and new-window blocking, permission denial, CSP
// and IPC sender checks are exercised through the handlers main.ts really registered.
// electronegativity runs on the same sources (and on a deliberately bad copy, to show it bites).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { IPC_CALL_CHANNEL, IPC_DIALOG_CHANNEL } from '../../common/contract/wire.ts';
import { runElectronegativity, stageElectronSources } from '../../scripts/electron-check.ts';
import { isAppUrl, REQUIRED_WEB_PREFERENCES, RENDERER_CSP } from './window-security.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RENDERER_DIR = join(ROOT, 'renderer', 'dist');
const APP_PAGE = pathToFileURL(join(RENDERER_DIR, 'index.html')).href;
const tmp = mkdtempSync(join(tmpdir(), 'lamina-electron-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

type Listener = (...args: unknown[]) => unknown;
const recorded = {
  windows: [] as { options: Record<string, unknown> }[],
  appListeners: new Map<string, Listener>(),
  ipc: new Map<string, Listener>(),
  engineMessages: [] as unknown[],
  permissionRequest: null as Listener | null,
  permissionCheck: null as Listener | null,
  headers: null as Listener | null,
};

function fakeElectron() {
  class BrowserWindow {
    webContents = { send: () => undefined };
    constructor(readonly options: Record<string, unknown>) {
      recorded.windows.push(this);
    }
    static getAllWindows() { return []; }
    maximize() {}
    on() {}
    isMaximized() { return false; }
    getNormalBounds() { return { x: 0, y: 0, width: 1, height: 1 }; }
    loadFile() { return Promise.resolve(); }
  }
  return {
    app: {
      whenReady: () => Promise.resolve(),
      on: (event: string, fn: Listener) => recorded.appListeners.set(event, fn),
      getPath: () => tmp,
      quit: () => undefined,
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, fn: Listener) => recorded.ipc.set(channel, fn) },
    Menu: { buildFromTemplate: () => ({}), setApplicationMenu: () => undefined },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    dialog: { showOpenDialog: async () => ({ filePaths: ['/picked.ora'] }), showSaveDialog: async () => ({ filePath: '/saved.ora' }) },
    utilityProcess: { fork: () => ({ on: () => undefined, postMessage: (m: unknown) => recorded.engineMessages.push(m) }) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (recorded.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Listener) => (recorded.permissionCheck = fn),
        webRequest: { onHeadersReceived: (fn: Listener) => (recorded.headers = fn) },
      },
    },
  };
}

before(async () => {
  // bundle main.ts exactly as scripts/build-app.mjs does, then run it with the fake electron
  const outfile = join(tmp, 'dist', 'main.cjs');
  await build({ bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['electron'], logLevel: 'warning', entryPoints: [join(ROOT, 'main', 'app', 'main.ts')], outfile });
  const realRequire = createRequire(outfile);
  const electron = fakeElectron();
  const run = new Function('module', 'exports', 'require', '__dirname', '__filename', readFileSync(outfile, 'utf8'));
  const module = { exports: {} };
  run(module, module.exports, (id: string) => (id === 'electron' ? electron : realRequire(id)), join(ROOT, 'main', 'app', 'dist'), outfile);
  await new Promise((r) => setTimeout(r, 20)); // app.whenReady().then(...)
});

test('the window: contextIsolation, sandbox, no node integration anywhere, web security on, no webview, Auxclick off, the bundled preload', () => {
  assert.equal(recorded.windows.length, 1);
  const prefs = recorded.windows[0].options.webPreferences as Record<string, unknown>;
  for (const [key, value] of Object.entries(REQUIRED_WEB_PREFERENCES)) assert.equal(prefs[key], value, key);
  assert.equal(prefs.preload, join(ROOT, 'main', 'app', 'dist', 'preload.cjs'));
  assert.match(String(prefs.disableBlinkFeatures), /Auxclick/);
  assert.equal(prefs.enableBlinkFeatures, undefined);
});

test('navigation away from the app, redirects, new windows and <webview> are blocked in every web contents', () => {
  const created = recorded.appListeners.get('web-contents-created');
  assert.ok(created, 'main.ts hardens every web contents as it is created');
  const listeners = new Map<string, Listener>();
  let openHandler: Listener | null = null;
  created!({}, { on: (e: string, fn: Listener) => listeners.set(e, fn), setWindowOpenHandler: (fn: Listener) => (openHandler = fn) });
  const navigate = (event: string, url: string) => {
    let prevented = false;
    listeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  for (const url of ['https://evil.example/', 'http://127.0.0.1:7860/', 'file:///etc/passwd', `${pathToFileURL(RENDERER_DIR).href}/../../secret.html`, 'javascript:alert(1)']) {
    assert.equal(navigate('will-navigate', url), true, url);
    assert.equal(navigate('will-redirect', url), true, url);
  }
  assert.equal(navigate('will-navigate', APP_PAGE), false, 'the app itself may reload');
  assert.deepEqual(openHandler!({ url: 'https://evil.example/' }), { action: 'deny' });
  assert.deepEqual(openHandler!({ url: APP_PAGE }), { action: 'deny' }, 'no new windows at all');
  let webview = false;
  listeners.get('will-attach-webview')!({ preventDefault: () => (webview = true) });
  assert.equal(webview, true);
});

test('every permission request and check is denied; every response carries the strict CSP', () => {
  for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
    let granted: unknown = 'unanswered';
    recorded.permissionRequest!({}, p, (g: boolean) => (granted = g));
    assert.equal(granted, false, p);
    assert.equal(recorded.permissionCheck!({}, p), false, p);
  }
  let headers: Record<string, string[]> = {};
  recorded.headers!({ responseHeaders: { 'content-type': ['text/html'] } }, (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders));
  assert.deepEqual(headers['Content-Security-Policy'], [RENDERER_CSP]);
  assert.deepEqual(headers['content-type'], ['text/html']);
  for (const d of ["default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) assert.ok(RENDERER_CSP.includes(d), d);
  assert.doesNotMatch(RENDERER_CSP, /unsafe-eval|script-src[^;]*unsafe-inline|https?:|\*/);
  // the page's own meta CSP says the same (frame-ancestors is ignored in a meta tag)
  const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8'))![1];
  assert.equal(meta, RENDERER_CSP.replace("; frame-ancestors 'none'", ''));
});

test('IPC is answered only for the app\'s own top frame', async () => {
  const call = recorded.ipc.get(IPC_CALL_CHANNEL)!;
  const dialog = recorded.ipc.get(IPC_DIALOG_CHANNEL)!;
  const from = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } });
  for (const sender of [from('https://evil.example/'), from(APP_PAGE, { url: APP_PAGE }), { senderFrame: null }, from('file:///tmp/index.html')]) {
    const before = recorded.engineMessages.length;
    await assert.rejects(Promise.resolve().then(() => call(sender, 'document.list', {})), /IPC refused/);
    await assert.rejects(Promise.resolve().then(() => dialog(sender, 'open', ['ora'])), /IPC refused/);
    assert.equal(recorded.engineMessages.length, before, 'nothing reached the engine');
  }
  void call(from(APP_PAGE), 'document.list', {});
  assert.deepEqual(recorded.engineMessages.at(-1), { id: 1, method: 'document.list', input: {} });
  assert.equal(await dialog(from(APP_PAGE), 'open', ['ora']), '/picked.ora');
  assert.equal(isAppUrl(APP_PAGE, RENDERER_DIR), true);
});

test('electronegativity: zero high or medium findings on the Electron code; the same tool flags a window without isolation and sandbox', () => {
  const stage = join(tmp, 'eneg');
  stageElectronSources(join(stage, 'lamina'));
  // a deliberately bad copy of the window, to show the tool is looking
  mkdirSync(join(stage, 'bad'), { recursive: true });
  writeFileSync(join(stage, 'bad', 'bad-window.js'), "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n");
  const findings = runElectronegativity(stage);
  const serious = findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && !f.file.startsWith('bad/'));
  assert.deepEqual(serious, [], JSON.stringify(serious));
  const bad = findings.filter((f) => f.file.startsWith('bad/')).map((f) => `${f.issue} ${f.severity}`);
  assert.ok(bad.includes('CONTEXT_ISOLATION_JS_CHECK HIGH'), bad.join(', '));
  assert.ok(bad.includes('SANDBOX_JS_CHECK MEDIUM'), bad.join(', '));
});

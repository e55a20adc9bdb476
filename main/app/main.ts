// Electron main process: the ONLY code that imports 'electron'. Opens the renderer with
// the preload contract, runs the engine in a utilityProcess and relays calls and events.
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, utilityProcess, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  IPC_CALL_CHANNEL, IPC_DIALOG_CHANNEL, IPC_EVENT_CHANNEL, IPC_MENU_CHANNEL, type ReplyMessage,
} from '../../common/contract/wire.ts';
import { MENU } from './menu-template.ts';
import { restoreBounds, type WindowBounds } from './window-state.ts';
import { hardenContents, hardenSession, isTrustedSender } from './window-security.ts';

const ROOT = join(__dirname, '..', '..', '..');
const RENDERER_DIR = join(ROOT, 'renderer', 'dist');

/** IPC from anything but the app's own top frame is refused. */
function assertSender(e: IpcMainInvokeEvent): void {
  if (!isTrustedSender(e, RENDERER_DIR)) throw new Error(`IPC refused from ${e.senderFrame?.url ?? 'an unknown frame'}`);
}
const statePath = () => join(app.getPath('userData'), 'window-state.json');

function startEngine() {
  const engine = utilityProcess.fork(join(ROOT, 'main', 'app', 'engine-host.mjs'), [], { serviceName: 'lamina-engine' });
  const pending = new Map<number, (reply: ReplyMessage) => void>();
  let nextId = 1;
  engine.on('message', (msg: ReplyMessage | { event: string; payload: unknown }) => {
    if ('event' in msg) for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC_EVENT_CHANNEL, msg);
    else {
      pending.get(msg.id)?.(msg);
      pending.delete(msg.id);
    }
  });
  ipcMain.handle(IPC_CALL_CHANNEL, (e, method: string, input: unknown) =>
    new Promise<ReplyMessage>((resolve) => {
      assertSender(e);
      const id = nextId++;
      pending.set(id, resolve);
      engine.postMessage({ id, method, input });
    }),
  );
  return engine;
}

function buildMenu(win: BrowserWindow): Menu {
  const template: MenuItemConstructorOptions[] = MENU.map((m) => ({
    label: m.label,
    submenu: m.items.map((item): MenuItemConstructorOptions =>
      item === 'separator'
        ? { type: 'separator' }
        : item.role
          ? { label: item.label, role: item.role as MenuItemConstructorOptions['role'] }
          : { label: item.label, accelerator: item.accelerator, click: () => win.webContents.send(IPC_MENU_CHANNEL, item.command) },
    ),
  }));
  return Menu.buildFromTemplate(template);
}

function createWindow(): void {
  let saved: unknown = null;
  try {
    saved = JSON.parse(readFileSync(statePath(), 'utf8'));
  } catch { /* first start */ }
  const bounds = restoreBounds(saved, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...bounds,
    backgroundColor: '#1e1f22',
    title: 'Lamina',
    // written out here so electronegativity sees every option; window-security.test.ts runs
    // this file against a fake electron and checks them (and the handlers below)
    webPreferences: {
      preload: join(ROOT, 'main', 'app', 'dist', 'preload.cjs'), // eng-disable PRELOAD_JS_CHECK (reviewed: it exposes only the typed contract, main/preload/preload.ts)
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick', // middle-click would open links in new windows
    },
  });
  if (bounds.maximized) win.maximize();
  Menu.setApplicationMenu(buildMenu(win));
  win.on('close', () => {
    const b: WindowBounds = { ...win.getNormalBounds(), maximized: win.isMaximized() };
    mkdirSync(app.getPath('userData'), { recursive: true });
    writeFileSync(statePath(), JSON.stringify(b));
  });
  void win.loadFile(join(RENDERER_DIR, 'index.html'));
}

ipcMain.handle(IPC_DIALOG_CHANNEL, async (e, kind: 'open' | 'save', extensions: string[]) => {
  assertSender(e);
  const filters = [{ name: 'Images and projects', extensions }];
  if (kind === 'open') return (await dialog.showOpenDialog({ properties: ['openFile'], filters })).filePaths[0] ?? null;
  return (await dialog.showSaveDialog({ filters })).filePath ?? null;
});

// every web contents (windows, and any a bug might create) stays on the app's pages
app.on('web-contents-created', (_e, contents) => hardenContents(contents, RENDERER_DIR, (what) => console.warn(`blocked ${what}`)));

void app.whenReady().then(() => {
  hardenSession(session.defaultSession);
  startEngine();
  createWindow();
});
app.on('window-all-closed', () => app.quit());

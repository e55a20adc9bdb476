// The Electron security checklist as code, with no `electron` import so Node tests can
// check it (main.ts passes Electron's objects in): the window's webPreferences, the only
// URLs the app may show, navigation and new windows blocked, every permission request
// denied, IPC accepted only from the app's own frame, and the CSP every response carries.
// https://www.electronjs.org/docs/latest/tutorial/security (the webPreferences are written out
// in main.ts so electronegativity can read them; REQUIRED_WEB_PREFERENCES is what they must be)
import { pathToFileURL } from 'node:url';

/** The renderer's CSP: its own files only; no eval, no plugins, no frames, no remote anything. */
export const RENDERER_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'";

/** What every window's webPreferences must say (main.ts writes them out; the test compares). */
export const REQUIRED_WEB_PREFERENCES = {
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
} as const;

/** True for the app's own pages: file:// URLs inside the built renderer folder. */
export function isAppUrl(url: string, rendererDir: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'file:' || u.host !== '') return false;
  const root = pathToFileURL(rendererDir.endsWith('/') ? rendererDir : `${rendererDir}/`).href;
  const href = `file://${u.pathname}`;
  return href.startsWith(root) && !decodeURIComponent(u.pathname).split('/').includes('..');
}

// Structural slices of Electron's types: what hardenContents uses, so tests can pass fakes.
export interface NavigationEvent { preventDefault(): void }
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: NavigationEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
}
export interface HardenableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  webRequest: {
    onHeadersReceived(listener: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders: Record<string, string[]> }) => void) => void): void;
  };
}

/** Blocks navigation away from the app, every new window and every <webview>. */
export function hardenContents(contents: HardenableContents, rendererDir: string, onBlocked: (what: string) => void = () => {}): void {
  const stay = (event: NavigationEvent, url: string) => {
    if (isAppUrl(url, rendererDir)) return;
    event.preventDefault();
    onBlocked(`navigation to ${url}`);
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onBlocked('a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked(`a new window for ${url}`);
    return { action: 'deny' };
  });
}

/** Denies every permission (camera, notifications, clipboard-read, ...) and adds the CSP header. */
export function hardenSession(session: HardenableSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...(details.responseHeaders ?? {}), 'Content-Security-Policy': [RENDERER_CSP] } });
  });
}

/** IPC is accepted only from the app's own top frame. */
export function isTrustedSender(event: { senderFrame?: { url: string; parent?: unknown } | null }, rendererDir: string): boolean {
  const frame = event.senderFrame;
  return !!frame && !frame.parent && isAppUrl(frame.url, rendererDir);
}

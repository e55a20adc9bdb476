// `lamina serve`: the contract over WebSocket plus the renderer over HTTP.
// Loopback by default; any other address requires the random token the server prints
// (HTTP and WebSocket). A browser page can reach a loopback port too, so:
//  - the WebSocket upgrade needs an Origin of this server itself (or none: a non-browser
//    client); a page on any other origin is refused with 403;
//  - the Host header must name this server (a loopback name, or the bound address), so a
//    DNS-rebinding page (evil.example resolving to 127.0.0.1) is refused too;
//  - HTTP serves GET/HEAD only, without a body, with bounded URL and headers; a WebSocket
//    message is at most `maxMessageBytes` (the connection closes with 1009 past it).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES } from '../../common/contract/contract.ts';
import { decodeFrame, encodeFrame } from '../../common/contract/binary-frame.ts';
import { TOKEN_PARAM, WS_PATH, type CallMessage, type ServerMessage } from '../../common/contract/wire.ts';
import { LaminaError, toErrorPayload } from '../../common/errors/lamina-error.ts';
import type { Engine } from '../engine/engine.ts';
import { RENDERER_DIST, serveStatic } from './static-files.ts';

export interface ServeOptions {
  engine: Engine;
  host?: string;
  port?: number;
  /** forced token (tests); otherwise random when the host is not loopback */
  token?: string | null;
  staticRoot?: string;
  /** largest WebSocket message (default 256 MiB: a 8192x8192 RGBA putImage fits) */
  maxMessageBytes?: number;
  /** more origins allowed to open the WebSocket (e.g. a dev server); the server's own always are */
  allowedOrigins?: string[];
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
  server: Server;
}

export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
export const MAX_URL_CHARS = 4096;
export const MAX_HEADER_BYTES = 16 * 1024;
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function tokenMatches(expected: string | null, req: IncomingMessage): boolean {
  if (!expected) return true;
  const url = new URL(req.url ?? '/', 'http://x');
  const given = url.searchParams.get(TOKEN_PARAM) ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host header names this server: loopback names for a loopback bind; anything with a token. */
function hostAllowed(req: IncomingMessage, bind: string, port: number, token: string | null): boolean {
  const hostHeader = (req.headers.host ?? '').toLowerCase();
  if (token) return true; // a non-loopback bind: the token is the gate, the name can be anything
  const names = new Set([...LOOPBACK_NAMES, bind.includes(':') ? `[${bind}]` : bind]);
  return [...names].some((n) => hostHeader === `${n}:${port}` || (port === 80 && hostHeader === n));
}

/** No Origin (a non-browser client) or this server's own origin (`http://<Host>`), or one allowed. */
function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://${req.headers.host ?? ''}` || allowed.has(origin);
}

function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token !== undefined ? opts.token : isLoopback(host) ? null : randomBytes(24).toString('hex');
  const root = opts.staticRoot ?? RENDERER_DIST;
  const { engine } = opts;
  const allowedOrigins = new Set(opts.allowedOrigins ?? []);
  let port = 0;

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    if ((req.url ?? '').length > MAX_URL_CHARS) {
      res.writeHead(414, { 'content-type': 'text/plain', connection: 'close' }).end('address too long');
      return;
    }
    if (!hostAllowed(req, host, port, token)) {
      res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' }).end('this server answers only to its own address');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain', connection: 'close' }).end('only GET and HEAD; the API is the WebSocket');
      return;
    }
    if (req.headers['content-length'] && req.headers['content-length'] !== '0' || req.headers['transfer-encoding']) {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('requests here carry no body');
      return;
    }
    if (!tokenMatches(token, req)) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('missing or wrong token');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (!existsSync(root)) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`the editor is not built: run "npm run build:renderer" (missing ${root})`);
      return;
    }
    void serveStatic(root, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if ((req.url ?? '').length > MAX_URL_CHARS) return refuseUpgrade(socket, '414 URI Too Long', 'address too long');
    if (!hostAllowed(req, host, port, token)) return refuseUpgrade(socket, '403 Forbidden', 'this server answers only to its own address');
    if (!originAllowed(req, allowedOrigins)) return refuseUpgrade(socket, '403 Forbidden', `origin ${req.headers.origin} may not use this engine`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== WS_PATH || !tokenMatches(token, req)) return refuseUpgrade(socket, '401 Unauthorized', 'missing or wrong token');
    wss.handleUpgrade(req, socket, head, (ws) => bindSocket(ws, engine));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 7860, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/${token ? `?${TOKEN_PARAM}=${token}` : ''}`;
  return {
    url, host, port, token, server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

function bindSocket(ws: WebSocket, engine: Engine): void {
  const send = (msg: ServerMessage) => {
    // raw pixels (document.image, job results) go as one binary frame, never base64
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(msg));
  };
  const unsubscribe = EVENT_NAMES.map((event) => engine.on(event, (payload) => send({ event, payload })));
  const client = randomUUID();
  ws.on('close', () => {
    unsubscribe.forEach((u) => u());
    engine.releaseClient(client); // a reloaded tab's unsaved documents are offered back
  });
  // a message past maxPayload (or a broken frame) is an 'error' on the socket: close it, never throw
  ws.on('error', () => ws.terminate());
  ws.on('message', async (data, isBinary) => {
    let msg: CallMessage;
    try {
      msg = decodeFrame(isBinary ? (data as Buffer) : data.toString()) as CallMessage;
      if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number' || typeof msg.method !== 'string') {
        throw new LaminaError('bad_request', 'a call needs {id: number, method: string, input}');
      }
    } catch (err) {
      const error = err instanceof LaminaError ? toErrorPayload(err) : { code: 'bad_request' as const, message: 'message is neither JSON nor a binary frame' };
      send({ id: -1, ok: false, error });
      return;
    }
    try {
      send({ id: msg.id, ok: true, output: await engine.dispatch(msg.method, msg.input, client) });
    } catch (err) {
      send({ id: msg.id, ok: false, error: toErrorPayload(err) });
    }
  });
}

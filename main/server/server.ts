// `lamina serve`: the contract over WebSocket plus the renderer over HTTP.
// Loopback by default; any other address requires the random token the server prints.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
  server: Server;
}

const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

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

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token !== undefined ? opts.token : isLoopback(host) ? null : randomBytes(24).toString('hex');
  const root = opts.staticRoot ?? RENDERER_DIST;
  const { engine } = opts;

  const server = createServer((req, res) => {
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

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== WS_PATH || !tokenMatches(token, req)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bindSocket(ws, engine));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 7860, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
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

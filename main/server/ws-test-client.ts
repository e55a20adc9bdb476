// A minimal contract client over WebSocket for tests and scripts (Node side).
import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '../../common/contract/binary-frame.ts';
import type { EventMessage, ReplyMessage } from '../../common/contract/wire.ts';

export interface WsTestClient {
  call(method: string, input: unknown): Promise<unknown>;
  events: EventMessage[];
  /** how many binary frames (raw pixels) the server sent */
  binaryFrames(): number;
  close(): void;
}

export async function connectWs(url: string): Promise<WsTestClient> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let nextId = 1;
  const pending = new Map<number, (m: ReplyMessage) => void>();
  const events: EventMessage[] = [];
  let binary = 0;
  ws.on('message', (data, isBinary) => {
    if (isBinary) binary++;
    const msg = decodeFrame(isBinary ? (data as Buffer) : data.toString()) as ReplyMessage | EventMessage;
    if ('event' in msg) events.push(msg);
    else pending.get(msg.id)?.(msg);
  });
  return {
    events,
    binaryFrames: () => binary,
    call: (method, input) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, (m) => (m.ok ? resolve(m.output) : reject(Object.assign(new Error(m.error.message), { code: m.error.code }))));
        ws.send(encodeFrame({ id, method, input }));
      }),
    close: () => ws.close(),
  };
}

// LaminaClient over WebSocket (`lamina serve`): request ids, typed replies, events, and
// reconnection with backoff. Calls made while disconnected wait for the socket. Messages
// with raw pixels travel as binary frames (common/contract/binary-frame.ts).
import type { EventName, EventPayload, Input, LaminaClient, Method, Output } from '../../common/contract/contract.ts';
import { decodeFrame, encodeFrame } from '../../common/contract/binary-frame.ts';
import { TOKEN_PARAM, WS_PATH, type ServerMessage } from '../../common/contract/wire.ts';

export class ContractError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly method?: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** Minimal WebSocket surface (the browser's, or a test double). */
export interface SocketLike {
  readyState: number;
  binaryType?: string;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** ms; doubles up to maxBackoffMs */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** ms before a call with no reply fails (0 = never) */
  timeoutMs?: number;
}

const OPEN = 1;

export class WsLaminaClient implements LaminaClient {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private queue: (string | Uint8Array<ArrayBuffer>)[] = [];
  private listeners = new Map<string, Set<(p: unknown) => void>>();
  private stateListeners = new Set<(s: ConnectionState) => void>();
  private backoff: number;
  private closedByUser = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  state: ConnectionState = 'connecting';

  constructor(private readonly opts: WsClientOptions) {
    this.backoff = opts.backoffMs ?? 250;
    this.open();
  }

  /** ws://host/ws?token=... for the page the renderer was served from. */
  static urlFor(location: { protocol: string; host: string; search: string }): string {
    const token = new URLSearchParams(location.search).get(TOKEN_PARAM);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}${WS_PATH}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`;
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  private open(): void {
    this.setState('connecting');
    const create = this.opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = create(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.backoff = this.opts.backoffMs ?? 250;
      this.setState('open');
      const q = this.queue;
      this.queue = [];
      for (const m of q) socket.send(m);
    };
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      // calls in flight are lost with the socket: fail them so the UI does not hang
      for (const [id, p] of this.pending) {
        p.reject(new ContractError('io_error', `connection to the engine was lost during ${p.method}`, p.method));
        this.pending.delete(id);
      }
      this.setState('closed');
      if (!this.closedByUser) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closedByUser) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.opts.maxBackoffMs ?? 5000, this.backoff * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.open();
    }, delay);
  }

  private receive(data: unknown): void {
    let msg: ServerMessage;
    try {
      msg = decodeFrame(typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data : String(data)) as ServerMessage;
    } catch {
      return;
    }
    if ('event' in msg) {
      for (const l of this.listeners.get(msg.event) ?? []) {
        try {
          l(msg.payload);
        } catch (err) {
          console.error(err);
        }
      }
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.output);
    else p.reject(new ContractError(msg.error.code, msg.error.message, p.method));
  }

  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    const id = this.nextId++;
    const text = encodeFrame({ id, method, input });
    return new Promise<Output<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      if (this.socket && this.socket.readyState === OPEN) this.socket.send(text);
      else this.queue.push(text);
      const t = this.opts.timeoutMs ?? 0;
      if (t > 0) {
        setTimeout(() => {
          if (this.pending.delete(id)) reject(new ContractError('io_error', `${method} got no reply in ${t} ms`, method));
        }, t);
      }
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (p: unknown) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (p: unknown) => void);
  }

  close(): void {
    this.closedByUser = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.close();
  }
}

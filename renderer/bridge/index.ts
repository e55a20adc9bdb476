// Picks the transport: the Electron preload when present, otherwise `lamina serve`'s WebSocket.
import type { LaminaClient } from '../../common/contract/contract.ts';
import { IpcLaminaClient, type PreloadApi } from './ipc-client.ts';
import { WsLaminaClient, type ConnectionState } from './ws-client.ts';

export { ContractError, WsLaminaClient } from './ws-client.ts';
export { IpcLaminaClient } from './ipc-client.ts';
export type { ConnectionState, PreloadApi };

export interface ClientWithState extends LaminaClient {
  readonly state: ConnectionState;
  onState?(listener: (s: ConnectionState) => void): () => void;
  readonly transport: 'ipc' | 'ws';
}

export function createClient(win: { lamina?: PreloadApi; location: { protocol: string; host: string; search: string } }): ClientWithState {
  if (win.lamina && typeof win.lamina.call === 'function') {
    const c = new IpcLaminaClient(win.lamina);
    return Object.assign(c, { transport: 'ipc' as const });
  }
  const c = new WsLaminaClient({ url: WsLaminaClient.urlFor(win.location) });
  return Object.assign(c, { transport: 'ws' as const });
}

// Messages on the WebSocket transport (`lamina serve`). IPC uses the same shapes.
import type { ErrorPayload } from '../errors/lamina-error.ts';

export interface CallMessage {
  id: number;
  method: string;
  input: unknown;
}
export type ReplyMessage =
  | { id: number; ok: true; output: unknown }
  | { id: number; ok: false; error: ErrorPayload };
export interface EventMessage {
  event: string;
  payload: unknown;
}
export type ServerMessage = ReplyMessage | EventMessage;

export const WS_PATH = '/ws';
/** Query parameter carrying the access token when the server binds a non-loopback address. */
export const TOKEN_PARAM = 'token';
/** IPC channel names used by the Electron preload. */
export const IPC_CALL_CHANNEL = 'lamina:call';
export const IPC_EVENT_CHANNEL = 'lamina:event';
/** Desktop-shell channels (Electron only): native menu commands and file dialogs. */
export const IPC_MENU_CHANNEL = 'lamina:menu';
export const IPC_DIALOG_CHANNEL = 'lamina:dialog';

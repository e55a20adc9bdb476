// The preload exposes the contract and nothing else: call(method, input) for declared
// methods and on(event, listener) for declared events (contextIsolation + sandbox on).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, METHODS } from '../../common/contract/contract.ts';
import {
  IPC_CALL_CHANNEL, IPC_DIALOG_CHANNEL, IPC_EVENT_CHANNEL, IPC_MENU_CHANNEL, type EventMessage, type ReplyMessage,
} from '../../common/contract/wire.ts';

const methods = new Set<string>(METHODS);
const eventNames = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('lamina', {
  async call(method: string, input: unknown): Promise<unknown> {
    if (!methods.has(method)) throw new Error(`unknown method "${method}"`);
    const reply = (await ipcRenderer.invoke(IPC_CALL_CHANNEL, method, input)) as ReplyMessage;
    if (reply.ok) return reply.output;
    // contextBridge keeps only an Error's message, so the code travels inside it
    throw new Error(`${reply.error.code}: ${reply.error.message}`);
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!eventNames.has(event)) throw new Error(`unknown event "${event}"`);
    const handler = (_e: IpcRendererEvent, msg: EventMessage) => {
      if (msg.event === event) listener(msg.payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, handler);
  },
  /** Desktop only: native menu commands ("file.save", "edit.undo", ...). */
  onMenuCommand(listener: (command: string) => void): () => void {
    const handler = (_e: IpcRendererEvent, command: string) => listener(String(command));
    ipcRenderer.on(IPC_MENU_CHANNEL, handler);
    return () => ipcRenderer.off(IPC_MENU_CHANNEL, handler);
  },
  /** Desktop only: a native open/save dialog; resolves to a path or null. */
  async fileDialog(kind: 'open' | 'save', extensions: string[]): Promise<string | null> {
    if (kind !== 'open' && kind !== 'save') throw new Error('dialog kind must be open or save');
    return (await ipcRenderer.invoke(IPC_DIALOG_CHANNEL, kind, extensions.map(String))) as string | null;
  },
});

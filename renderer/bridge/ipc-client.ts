// LaminaClient over the Electron preload: window.lamina = { call(method, input), on(event, listener) }.
import type { EventName, EventPayload, Input, LaminaClient, Method, Output } from '../../common/contract/contract.ts';
import { ContractError } from './ws-client.ts';

export interface PreloadApi {
  call(method: string, input: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** desktop only: native menu commands */
  onMenuCommand?(listener: (command: string) => void): () => void;
  /** desktop only: native open/save dialog; a path or null */
  fileDialog?(kind: 'open' | 'save', extensions: string[]): Promise<string | null>;
}

export class IpcLaminaClient implements LaminaClient {
  readonly state = 'open' as const;
  constructor(private readonly api: PreloadApi) {}

  async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    try {
      return (await this.api.call(method, input)) as Output<M>;
    } catch (err) {
      // Electron wraps errors thrown in the main process: "Error invoking remote method 'x': CODE: message"
      const e = err as { code?: unknown; message?: unknown };
      const raw = String(e?.message ?? err);
      const m = /(?:Error invoking remote method '[^']*': )?(?:Error: )?(?:([a-z_]+): )?([\s\S]*)/.exec(raw);
      const code = typeof e?.code === 'string' ? e.code : (m?.[1] ?? 'internal');
      throw new ContractError(code, m?.[2] ?? raw, method);
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.api.on(event, listener as (p: unknown) => void);
  }
}

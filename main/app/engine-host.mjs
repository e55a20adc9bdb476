// utilityProcess entry: the engine, off the UI thread, speaking the wire protocol.
import { register } from 'tsx/esm/api';
register();
const { Engine } = await import('../engine/engine.ts');
const { defaultEngineOptions } = await import('../engine/engine-defaults.ts');
const { toErrorPayload } = await import('../../common/errors/lamina-error.ts');
const { EVENT_NAMES } = await import('../../common/contract/contract.ts');

const engine = new Engine(defaultEngineOptions());
const port = process.parentPort;
for (const event of EVENT_NAMES) engine.on(event, (payload) => port.postMessage({ event, payload }));
port.on('message', async ({ data }) => {
  try {
    port.postMessage({ id: data.id, ok: true, output: await engine.dispatch(data.method, data.input) });
  } catch (err) {
    port.postMessage({ id: data.id, ok: false, error: toErrorPayload(err) });
  }
});

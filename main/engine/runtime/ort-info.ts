// onnxruntime-node's version and the execution providers this build knows, loaded lazily
// so the engine starts (and reports null) where onnxruntime-node is not installed.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function ortInfo(): { version: string | null; providers: { name: string; bundled: boolean }[] } {
  try {
    const mod = require('onnxruntime-node');
    return { version: require('onnxruntime-node/package.json').version, providers: mod.listSupportedBackends() };
  } catch {
    return { version: null, providers: [] };
  }
}

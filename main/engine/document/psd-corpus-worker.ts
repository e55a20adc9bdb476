// Test helper (psd-corpus.test.ts): imports each file it is given, in a worker thread so the
// test can time out a file that hangs, and posts one result per file.
import { parentPort, workerData } from 'node:worker_threads';
import { walkLayers } from '../../../common/document/layer-tree.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { ImageStore } from '../imaging/image-store.ts';
import { readDocumentFileDetailed } from './document-files.ts';

export type CorpusResult =
  | { file: string; status: 'imported'; leafNames: string[]; layerCount: number; warnings: number; ms: number }
  | { file: string; status: 'refused'; code: string; message: string; ms: number }
  | { file: string; status: 'crashed'; message: string; ms: number };

async function probe(file: string): Promise<CorpusResult> {
  const start = Date.now();
  try {
    const { document, warnings } = await readDocumentFileDetailed({ path: file }, new ImageStore());
    const all = [...walkLayers(document.layers)];
    // Back to front, leaves only: the order ImageMagick lists layers in.
    const leafNames = all.filter(({ layer }) => layer.kind !== 'group').map(({ layer }) => layer.name).reverse();
    return { file, status: 'imported', leafNames, layerCount: all.length, warnings: warnings.length, ms: Date.now() - start };
  } catch (err) {
    const ms = Date.now() - start;
    if (err instanceof LaminaError) return { file, status: 'refused', code: err.code, message: err.message, ms };
    return { file, status: 'crashed', message: err instanceof Error ? err.stack ?? err.message : String(err), ms };
  }
}

if (parentPort) {
  for (const file of workerData.files as string[]) parentPort.postMessage(await probe(file));
}

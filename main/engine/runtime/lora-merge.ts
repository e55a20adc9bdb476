// LoRA adapters merged into a graph's weights (docs/lora.md): for every target of the
// adapter, W' = W + strength * (alpha / rank) * B A, written over the initializer's bytes
// in a copy of the model (./onnx-initializers.ts). The merged model is a new session with
// the base graph's speed (constant weights stay prepacked); strength 0 is the base graph
// itself (no merge, the same session), so it is byte-identical to no adapter.
import { readFile } from 'node:fs/promises';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { AdapterComponent } from '../../../common/models/pack-manifest.ts';
import { locateInitializers } from './onnx-initializers.ts';
import { readSafetensors, type SafeTensors } from './safetensors.ts';

/** One adapter to merge: its manifest entry, its file and its strength. */
export interface AdapterMerge {
  id: string;
  component: AdapterComponent;
  path: string;
  strength: number;
}

const FLOAT = 1;

/** `model` with every adapter merged at its strength (a new buffer; `model` is not changed). */
export function mergeLora(model: Uint8Array, adapters: readonly { merge: AdapterMerge; file: SafeTensors }[], what: string): Uint8Array {
  const out = Uint8Array.from(model);
  const names = adapters.flatMap((a) => a.merge.component.targets.map((t) => t.initializer));
  const spans = locateInitializers(out, names, what);
  for (const { merge, file } of adapters) {
    const { component: c, strength } = merge;
    const scale = strength * (c.alpha / c.rank);
    for (const t of c.targets) {
      const span = spans.get(t.initializer)!;
      const where = `adapter "${merge.id}" (${merge.path}), target ${t.module}`;
      const a = file.tensors.get(`${t.module}.lora_A`);
      const b = file.tensors.get(`${t.module}.lora_B`);
      if (!a || !b) throw new LaminaError('bad_pack', `${where}: the file has no ${t.module}.lora_A / .lora_B tensors`);
      if (a.data.length !== c.rank * t.in || b.data.length !== t.out * c.rank) {
        throw new LaminaError('bad_pack', `${where}: lora_A [${a.shape}] / lora_B [${b.shape}] do not match rank ${c.rank}, in ${t.in}, out ${t.out}`);
      }
      const wantDims = t.layout === 'in_out' ? [t.in, t.out] : [t.out, t.in];
      if (span.dataType !== FLOAT || span.length !== t.in * t.out * 4 || span.dims.join(',') !== wantDims.join(',')) {
        throw new LaminaError('bad_pack', `${where}: initializer "${t.initializer}" is [${span.dims}] of data type ${span.dataType}, the manifest says float32 [${wantDims}] (${t.layout})`);
      }
      // aligned copy of the weight, updated, written back (little-endian, as ONNX stores it)
      const w = new Float32Array(out.slice(span.offset, span.offset + span.length).buffer);
      addLowRank(w, a.data, b.data, c.rank, t.in, t.out, scale, t.layout);
      out.set(new Uint8Array(w.buffer), span.offset);
    }
  }
  return out;
}

/** w += scale * B A, with w stored [in, out] (W^T) or [out, in] (W); A [rank, in], B [out, rank]. */
export function addLowRank(w: Float32Array, a: Float32Array, b: Float32Array, rank: number, nIn: number, nOut: number, scale: number, layout: 'in_out' | 'out_in'): void {
  for (let o = 0; o < nOut; o++) {
    for (let i = 0; i < nIn; i++) {
      let d = 0;
      for (let r = 0; r < rank; r++) d += b[o * rank + r] * a[r * nIn + i];
      w[layout === 'in_out' ? i * nOut + o : o * nIn + i] += scale * d;
    }
  }
}

/** Reads the graph and the adapter files and merges them. */
export async function mergedGraphBytes(graphPath: string, merges: readonly AdapterMerge[], what: string): Promise<Uint8Array> {
  let model: Uint8Array;
  try {
    model = await readFile(graphPath);
  } catch (err) {
    throw new LaminaError('bad_pack', `${graphPath}: cannot read graph (${(err as Error).message.split('\n')[0]})`);
  }
  const files = await Promise.all(merges.map(async (merge) => ({ merge, file: await readSafetensors(merge.path) })));
  return mergeLora(model, files, what);
}

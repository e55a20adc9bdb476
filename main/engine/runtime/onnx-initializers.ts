// Where an ONNX model's named initializers keep their bytes: the raw_data span of each
// TensorProto inside the file (onnx.proto3: ModelProto.graph = 7, GraphProto.initializer
// = 5, TensorProto dims = 1, data_type = 2, name = 8, raw_data = 9). Rewriting a span with
// as many bytes leaves every protobuf length intact, so merged weights (LoRA) become a
// new model by copying the file and overwriting those spans; nothing else is re-encoded.
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { Reader } from './onnx-inspect.ts';

export interface InitializerSpan {
  name: string;
  dims: number[];
  /** ONNX TensorProto.DataType (1 = float32) */
  dataType: number;
  /** byte offset of raw_data in the model's bytes, and its length */
  offset: number;
  length: number;
}

/** The spans of the initializers named in `names`; bad_pack naming any that is missing or not stored as raw_data. */
export function locateInitializers(model: Uint8Array, names: readonly string[], what: string): Map<string, InitializerSpan> {
  const want = new Set(names);
  const found = new Map<string, InitializerSpan>();
  const notRaw: string[] = [];
  for (const f of new Reader(model, what).fields()) {
    if (f.no !== 7 || !f.bytes) continue;
    for (const g of new Reader(f.bytes, what).fields()) {
      if (g.no !== 5 || !g.bytes) continue;
      let name = '';
      const dims: number[] = [];
      let dataType = 0;
      let raw: Uint8Array | null = null;
      for (const t of new Reader(g.bytes, what).fields()) {
        if (t.no === 1 && t.wire === 0) dims.push(Number(t.value));
        else if (t.no === 1 && t.bytes) { // packed dims
          const r = new Reader(t.bytes, what);
          while (r.pos < t.bytes.length) dims.push(Number(r.varint()));
        } else if (t.no === 2 && t.wire === 0) dataType = Number(t.value);
        else if (t.no === 8 && t.bytes) name = new TextDecoder().decode(t.bytes);
        else if (t.no === 9 && t.bytes) raw = t.bytes;
      }
      if (!want.has(name)) continue;
      if (!raw) {
        notRaw.push(name);
        continue;
      }
      found.set(name, { name, dims, dataType, offset: raw.byteOffset - model.byteOffset, length: raw.byteLength });
    }
  }
  if (notRaw.length) throw new LaminaError('bad_pack', `${what}: initializer(s) ${notRaw.map((n) => `"${n}"`).join(', ')} are not stored as raw data (an adapter cannot be merged into them)`);
  const missing = names.filter((n) => !found.has(n));
  if (missing.length) throw new LaminaError('bad_pack', `${what}: no initializer ${missing.map((n) => `"${n}"`).join(', ')} (the adapter was made for another graph?)`);
  return found;
}

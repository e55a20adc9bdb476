// Tensors for graph feeds. The only place outside the ORT adapter that makes them, so
// pipelines never import onnxruntime-node (scripts/check-imports.ts keeps it so).
import ort from 'onnxruntime-node';

export type Tensor = ort.Tensor;

export function floatTensor(data: Float32Array, dims: readonly number[]): Tensor {
  return new ort.Tensor('float32', data, [...dims]);
}

/** Integer values (token ids, masks) in the dtype a graph declares: int64, int32 or float32. */
export function intTensor(dtype: string, values: readonly number[], dims: readonly number[]): Tensor {
  if (dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [...dims]);
  if (dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(values), [...dims]);
  return new ort.Tensor('float32', Float32Array.from(values), [...dims]);
}

/** A 0/1 attention mask in the dtype the graph declares for it (int64, bool or float32). */
export function maskTensor(dtype: string, mask: Float32Array, dims: readonly number[]): Tensor {
  if (dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(mask, (v) => BigInt(v)), [...dims]);
  if (dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(mask), [...dims]);
  return new ort.Tensor('float32', mask, [...dims]);
}

/** A per-item timestep input ([batch]) of the graph's dtype, filled by fillScalar. */
export function timestepTensor(dtype: string, batch: number): Tensor {
  return dtype === 'int64' ? new ort.Tensor('int64', new BigInt64Array(batch), [batch]) : new ort.Tensor('float32', new Float32Array(batch), [batch]);
}

/** Every element = value (rounded for integer tensors). */
export function fillScalar(t: Tensor, value: number): void {
  if (t.data instanceof BigInt64Array) t.data.fill(BigInt(Math.round(value)));
  else (t.data as Float32Array).fill(value);
}

// A 0/1 attention mask in the dtype the graph declares for it (int64, bool or float32).
import ort from 'onnxruntime-node';

export function maskTensor(dtype: string, mask: Float32Array, dims: number[]): ort.Tensor {
  if (dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(mask, (v) => BigInt(v)), dims);
  if (dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(mask), dims);
  return new ort.Tensor('float32', mask, dims);
}

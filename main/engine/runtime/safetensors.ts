// safetensors files (Hugging Face's format: 8-byte little-endian header length, a JSON
// header of {name: {dtype, shape, data_offsets}} plus optional __metadata__, then the
// raw little-endian tensor bytes): what LoRA adapters ship as. float32 and float16 read
// as Float32Array; anything else is a clear error naming the file and the tensor.
import { readFile } from 'node:fs/promises';
import { LaminaError } from '../../../common/errors/lamina-error.ts';

export interface SafeTensor {
  shape: number[];
  data: Float32Array;
}

export interface SafeTensors {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export async function readSafetensors(path: string): Promise<SafeTensors> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new LaminaError('bad_pack', `${path}: cannot read adapter file (${(err as Error).message.split('\n')[0]})`);
  }
  return parseSafetensors(buf, path);
}

export function parseSafetensors(buf: Uint8Array, what: string): SafeTensors {
  const bad = (why: string): never => {
    throw new LaminaError('bad_pack', `${what}: not a readable safetensors file (${why})`);
  };
  if (buf.length < 8) bad('shorter than its header length');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > buf.length - 8) bad(`header of ${headerLen} bytes runs past the end`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + headerLen)));
  } catch {
    return bad('header is not JSON');
  }
  const start = 8 + headerLen;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const t = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const [a, b] = t.data_offsets ?? [NaN, NaN];
    const count = (t.shape ?? []).reduce((n, d) => n * d, 1);
    const width = t.dtype === 'F32' ? 4 : t.dtype === 'F16' ? 2 : bad(`tensor "${name}" has dtype ${t.dtype} (F32 or F16)`);
    if (!(a >= 0 && b - a === count * width && start + b <= buf.length)) bad(`tensor "${name}": offsets ${a}..${b} do not hold ${count} ${t.dtype} values`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = width === 4 ? view.getFloat32(start + a + 4 * i, true) : halfToFloat(view.getUint16(start + a + 2 * i, true));
    tensors.set(name, { shape: t.shape ?? [], data });
  }
  return { tensors, metadata };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

// NumPy .npy files (format 1.0 / 2.0, little-endian float32, C order): the initial noise
// a spec may carry (`"noise": "path.npy"`), so a run is reproducible across tools
// (diffusers reads the same file as `latents`).
import { readFileSync, writeFileSync } from 'node:fs';
import { LaminaError } from '../../../common/errors/lamina-error.ts';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

export function readNpyFloat32(path: string): NpyArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new LaminaError('bad_request', `${path}: cannot read .npy file (${(err as Error).message.split('\n')[0]})`);
  }
  const bad = (why: string): never => {
    throw new LaminaError('bad_request', `${path}: ${why}`);
  };
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') bad('not a .npy file');
  const major = buf.readUInt8(6);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4') bad(`dtype ${descr ?? '?'} (need float32, '<f4')`);
  if (fortran !== 'False') bad('Fortran order (need C order)');
  if (shapeText === undefined) bad('no shape in the header');
  const shape = shapeText!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  if (buf.length - start < n * 4) bad(`holds ${(buf.length - start) / 4} values, shape (${shape.join(', ')}) needs ${n}`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(start + 4 * i);
  return { shape, data };
}

export function writeNpyFloat32(path: string, shape: readonly number[], data: Float32Array): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.writeUInt8(0x93, 0);
  head.write('NUMPY', 1, 'latin1');
  head.writeUInt8(1, 6);
  head.writeUInt8(0, 7);
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i], 4 * i);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

// Seeded, counter-based noise that is the same on every platform and run: Philox4x32-10
// (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) for uniform
// 32-bit words, Box-Muller for normals, rounded to float32. Element i of a stream depends
// only on (seed, stream, i), so any slice can be regenerated without the ones before it.
//
// Portability: the integer part is exact; Box-Muller uses Math.log/sqrt/cos/sin, which V8
// implements itself (fdlibm port) rather than calling the platform libm, and the float32
// rounding absorbs last-bit differences in any case.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32, exact in float64 arithmetic. */
function mulhi(a: number, b: number): number {
  const ah = a >>> 16;
  const al = a & 0xffff;
  const bh = b >>> 16;
  const bl = b & 0xffff;
  const t = (ah * bl + al * bh) * 65536 + al * bl; // < 2^50, exact
  return (ah * bh + Math.floor(t / 4294967296)) >>> 0;
}

/** Philox4x32 with 10 rounds. counter: 4 uint32, key: 2 uint32. Writes 4 uint32 to out. */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 4294967296;

/**
 * `length` standard-normal float32 values for (seed, stream). Element i comes from Philox
 * block floor(i / 4) (counter = [block, 0, 0, 0], key = [seed, stream]); each block gives
 * two Box-Muller pairs. `offset` starts at element `offset` (must be a multiple of 4).
 */
export function normalNoise(seed: number, length: number, stream = 0, offset = 0, out: Float32Array = new Float32Array(length)): Float32Array {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32) (got ${seed})`);
  if (!Number.isInteger(stream) || stream < 0 || stream > 0xffffffff) throw new RangeError(`stream must be an integer in [0, 2^32) (got ${stream})`);
  if (offset % 4 !== 0) throw new RangeError('offset must be a multiple of 4');
  if (out.length < length) throw new RangeError('out is shorter than length');
  const key = [seed, stream];
  const ctr = [0, 0, 0, 0];
  const words = new Uint32Array(4);
  const firstBlock = offset / 4;
  for (let i = 0; i < length; i += 4) {
    const block = firstBlock + i / 4;
    ctr[0] = block % 4294967296;
    ctr[1] = Math.floor(block / 4294967296);
    philox4x32(ctr, key, words);
    for (let p = 0; p < 2; p++) {
      const u1 = (words[2 * p] + 0.5) * INV_2_32; // (0, 1), never 0
      const u2 = (words[2 * p + 1] + 0.5) * INV_2_32;
      const r = Math.sqrt(-2 * Math.log(u1));
      const a = TWO_PI * u2;
      if (i + 2 * p < length) out[i + 2 * p] = r * Math.cos(a);
      if (i + 2 * p + 1 < length) out[i + 2 * p + 1] = r * Math.sin(a);
    }
  }
  return out;
}

/** Uniform float32 in [0, 1) for (seed, stream), from the same Philox stream layout. */
export function uniformNoise(seed: number, length: number, stream = 0, out: Float32Array = new Float32Array(length)): Float32Array {
  const key = [seed >>> 0, stream >>> 0];
  const ctr = [0, 0, 0, 0];
  const words = new Uint32Array(4);
  for (let i = 0; i < length; i += 4) {
    ctr[0] = (i / 4) >>> 0;
    philox4x32(ctr, key, words);
    for (let k = 0; k < 4 && i + k < length; k++) {
      const u = Math.fround(words[k] * INV_2_32);
      out[i + k] = u >= 1 ? 0.99999994 : u; // float32 rounding can reach 1
    }
  }
  return out;
}

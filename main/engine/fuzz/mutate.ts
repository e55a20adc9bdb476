// Seeded mutations for the fuzzer: byte-level (flips, interesting values, cuts, splices,
// duplicated runs) and structure-aware (PNG chunks with their CRCs fixed, JPEG/WebP/PSD
// header sizes, JSON values, XML attributes and nesting, ZIP entries re-zipped). Every case
// is a pure function of (seed, target, index), so a finding is reproduced from its numbers.
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { crc32 } from '../document/crc32.ts';

/** xorshift128+ over 32-bit halves; deterministic, fast, good enough to pick mutations. */
export class Rng {
  private s: Uint32Array;
  constructor(seed: number, stream: string, index: number) {
    let h = 2166136261 ^ seed;
    for (const ch of `${stream}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    this.s = new Uint32Array([h >>> 0 || 1, (h * 31 + index) >>> 0 || 2, (seed * 7 + 13) >>> 0 || 3, (index * 2654435761) >>> 0 || 4]);
    for (let i = 0; i < 8; i++) this.u32();
  }
  u32(): number {
    const s = this.s;
    let t = s[3];
    t ^= t << 11;
    t ^= t >>> 8;
    s[3] = s[2]; s[2] = s[1]; s[1] = s[0];
    t ^= s[0] ^ (s[0] >>> 19);
    s[0] = t >>> 0;
    return s[0];
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Sizes and values that break parsers: zero, negative, limits, the famous 100,000 x 100,000. */
export const INTERESTING_SIZES = [0, 1, 2, 255, 256, 16384, 16385, 65535, 65536, 100000, 0x7fffffff, 0x80000000, 0xffffffff];
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

export function mutateBytes(rng: Rng, input: Uint8Array, others: readonly Uint8Array[] = []): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    if (b.length === 0) b = new Uint8Array([rng.int(256)]);
    switch (rng.int(9)) {
      case 0: { // flip bits
        for (let k = 1 + rng.int(8); k > 0; k--) b[rng.int(b.length)] ^= 1 << rng.int(8);
        break;
      }
      case 1: // interesting byte
        b[rng.int(b.length)] = rng.pick(INTERESTING_BYTES);
        break;
      case 2: { // interesting 32-bit value, either endianness
        const at = rng.int(Math.max(1, b.length - 4));
        const v = rng.pick(INTERESTING_SIZES);
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (at + 4 <= b.length) dv.setUint32(at, v >>> 0, rng.chance(0.5));
        break;
      }
      case 3: // truncate
        b = b.subarray(0, rng.int(b.length));
        break;
      case 4: { // delete a run
        const at = rng.int(b.length);
        const len = 1 + rng.int(Math.min(512, b.length - at));
        b = concat(b.subarray(0, at), b.subarray(at + len));
        break;
      }
      case 5: { // duplicate a run
        const at = rng.int(b.length);
        const len = 1 + rng.int(Math.min(512, b.length - at));
        const run = b.subarray(at, at + len);
        b = concat(b.subarray(0, at), run, run, b.subarray(at + len));
        break;
      }
      case 6: { // random bytes over a run
        const at = rng.int(b.length);
        for (let k = 0, n = 1 + rng.int(32); k < n && at + k < b.length; k++) b[at + k] = rng.int(256);
        break;
      }
      case 7: { // splice with another seed
        if (others.length === 0) break;
        const o = rng.pick(others);
        const cut = rng.int(b.length);
        b = concat(b.subarray(0, cut), o.subarray(rng.int(o.length)));
        break;
      }
      default: { // insert random bytes
        const at = rng.int(b.length);
        const ins = new Uint8Array(1 + rng.int(64)).map(() => rng.int(256));
        b = concat(b.subarray(0, at), ins, b.subarray(at));
      }
    }
  }
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---- PNG: chunk-aware (CRC recomputed, so the decoder sees the hostile value itself)

interface PngChunk { type: string; data: Uint8Array }

export function parsePngChunks(b: Uint8Array): PngChunk[] | null {
  if (b.length < 8) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const chunks: PngChunk[] = [];
  for (let o = 8; o + 12 <= b.length;) {
    const len = dv.getUint32(o);
    if (o + 12 + len > b.length) return null;
    chunks.push({ type: String.fromCharCode(...b.subarray(o + 4, o + 8)), data: b.slice(o + 8, o + 8 + len) });
    o += 12 + len;
  }
  return chunks;
}

export function writePngChunks(chunks: PngChunk[]): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const c of chunks) {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, c.data.length);
    head.set([...c.type].map((ch) => ch.charCodeAt(0)), 4);
    const crc = new Uint8Array(4);
    new DataView(crc.buffer).setUint32(0, crc32(concat(head.subarray(4), c.data)) >>> 0);
    parts.push(head, c.data, crc);
  }
  return concat(...parts);
}

/** A PNG whose IHDR declares `width` x `height` (CRC fixed). */
export function pngWithSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const chunks = parsePngChunks(png)!;
  const ihdr = chunks.find((c) => c.type === 'IHDR')!;
  const dv = new DataView(ihdr.data.buffer, ihdr.data.byteOffset);
  dv.setUint32(0, width >>> 0);
  dv.setUint32(4, height >>> 0);
  return writePngChunks(chunks);
}

export function mutatePng(rng: Rng, png: Uint8Array): Uint8Array {
  const chunks = parsePngChunks(png);
  if (!chunks || rng.chance(0.3)) return mutateBytes(rng, png);
  const op = rng.int(6);
  if (op === 0) return pngWithSize(png, rng.pick(INTERESTING_SIZES), rng.pick(INTERESTING_SIZES));
  if (op === 1) { // bit depth / colour type / interlace
    const ihdr = chunks.find((c) => c.type === 'IHDR');
    if (ihdr) ihdr.data[8 + rng.int(5)] = rng.pick([0, 1, 2, 3, 4, 6, 8, 16, 255]);
  } else if (op === 2) { // mutate a chunk's data, CRC fixed
    const c = rng.pick(chunks);
    c.data = mutateBytes(rng, c.data);
  } else if (op === 3) { // drop or duplicate a chunk
    const i = rng.int(chunks.length);
    if (rng.chance(0.5)) chunks.splice(i, 1);
    else chunks.splice(i, 0, { ...chunks[i] });
  } else if (op === 4) { // a huge or odd ancillary chunk
    chunks.splice(1, 0, { type: rng.pick(['tEXt', 'zTXt', 'iCCP', 'eXIf', 'acTL', 'fcTL', 'sPLT']), data: new Uint8Array(rng.int(4096)).map(() => rng.int(256)) });
  } else { // shuffle
    const i = rng.int(chunks.length);
    const j = rng.int(chunks.length);
    [chunks[i], chunks[j]] = [chunks[j], chunks[i]];
  }
  return writePngChunks(chunks);
}

// ---- JPEG, WebP, PSD: the header fields that size allocations

export function jpegWithSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const b = Uint8Array.from(jpeg);
  for (let o = 2; o + 9 < b.length; o++) {
    if (b[o] === 0xff && (b[o + 1] === 0xc0 || b[o + 1] === 0xc2 || b[o + 1] === 0xc1)) {
      const dv = new DataView(b.buffer);
      dv.setUint16(o + 5, height & 0xffff);
      dv.setUint16(o + 7, width & 0xffff);
      break;
    }
  }
  return b;
}

export function mutateJpeg(rng: Rng, jpeg: Uint8Array): Uint8Array {
  if (rng.chance(0.3)) return jpegWithSize(jpeg, rng.pick([0, 1, 65535, 65500, 16385]), rng.pick([0, 1, 65535, 65500, 16385]));
  return mutateBytes(rng, jpeg);
}

/** WebP: a VP8X chunk declaring a canvas of width x height (24-bit fields, minus one). */
export function webpWithCanvas(webp: Uint8Array, width: number, height: number): Uint8Array {
  const vp8x = new Uint8Array(18);
  vp8x.set([0x56, 0x50, 0x38, 0x58]); // 'VP8X'
  new DataView(vp8x.buffer).setUint32(4, 10, true);
  const w = Math.min(width, 1 << 24) - 1;
  const h = Math.min(height, 1 << 24) - 1;
  vp8x.set([w & 255, (w >> 8) & 255, (w >> 16) & 255], 12);
  vp8x.set([h & 255, (h >> 8) & 255, (h >> 16) & 255], 15);
  const out = concat(webp.subarray(0, 12), vp8x, webp.subarray(12));
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

export function mutateWebp(rng: Rng, webp: Uint8Array): Uint8Array {
  if (rng.chance(0.25)) return webpWithCanvas(webp, rng.pick(INTERESTING_SIZES), rng.pick(INTERESTING_SIZES));
  return mutateBytes(rng, webp);
}

/** PSD header: channels @12 (u16), height @14, width @18 (u32), depth @22, mode @24 (u16). */
export function psdWithSize(psd: Uint8Array, width: number, height: number): Uint8Array {
  const b = Uint8Array.from(psd);
  const dv = new DataView(b.buffer);
  dv.setUint32(14, height >>> 0);
  dv.setUint32(18, width >>> 0);
  return b;
}

export function mutatePsd(rng: Rng, psd: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
  const op = rng.int(4);
  if (op === 0) return psdWithSize(psd, rng.pick(INTERESTING_SIZES), rng.pick(INTERESTING_SIZES));
  if (op === 1 && psd.length > 26) {
    const b = Uint8Array.from(psd);
    const dv = new DataView(b.buffer);
    const field = rng.pick([[12, 2], [22, 2], [24, 2], [26, 4]] as const);
    if (field[1] === 2) dv.setUint16(field[0], rng.pick([0, 1, 3, 4, 5, 8, 16, 32, 56, 57, 0xffff]));
    else dv.setUint32(field[0], rng.pick(INTERESTING_SIZES) >>> 0);
    return b;
  }
  return mutateBytes(rng, psd, others);
}

// ---- JSON and XML text

const HOSTILE_VALUES: unknown[] = [null, true, -1, 0, 1e308, -1e308, 100000, 16385, 0.5, 2 ** 53, '', 'x'.repeat(10000), '../../etc/passwd', '__proto__', [], {}, [[[[]]]], { __proto__: { polluted: 1 } }];

export function mutateJsonValue(rng: Rng, value: unknown, depth = 0): unknown {
  if (depth > 0 && rng.chance(0.15)) return rng.pick(HOSTILE_VALUES);
  if (Array.isArray(value)) {
    if (value.length === 0 || rng.chance(0.1)) return rng.chance(0.5) ? [...value, rng.pick(HOSTILE_VALUES)] : [];
    const i = rng.int(value.length);
    const copy = [...value];
    if (rng.chance(0.1)) copy.splice(i, 1);
    else if (rng.chance(0.1)) copy.push(...new Array(1 + rng.int(50)).fill(copy[i]));
    else copy[i] = mutateJsonValue(rng, copy[i], depth + 1);
    return copy;
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (keys.length === 0 || rng.chance(0.08)) {
      copy[rng.pick(['__proto__', 'constructor', 'extra', 'id', 'width', 'layers'])] = rng.pick(HOSTILE_VALUES);
      return copy;
    }
    const k = rng.pick(keys);
    if (rng.chance(0.1)) delete copy[k];
    else copy[k] = mutateJsonValue(rng, copy[k], depth + 1);
    return copy;
  }
  if (typeof value === 'number') return rng.pick([-value, value * 1000, value + 1, Number.MAX_SAFE_INTEGER, 100000, -0, 1e-9, 0xffffffff]);
  if (typeof value === 'string') return rng.pick([value + value, '', value.slice(1), '\u0000', '😀'.repeat(100), '../' + value, value.toUpperCase()]);
  return rng.pick(HOSTILE_VALUES);
}

export function mutateJsonText(rng: Rng, text: string): string {
  const r = rng.int(10);
  if (r < 6) {
    let v: unknown = JSON.parse(text);
    for (let k = 1 + rng.int(3); k > 0; k--) v = mutateJsonValue(rng, v);
    return JSON.stringify(v);
  }
  if (r === 6) return '['.repeat(1000 + rng.int(100000)) + ']'.repeat(rng.int(2) ? 10 : 0); // deep nesting
  return new TextDecoder().decode(mutateBytes(rng, new TextEncoder().encode(text)));
}

export function mutateXmlText(rng: Rng, text: string): string {
  const r = rng.int(8);
  if (r <= 2) { // attribute values
    return text.replace(/="([^"]*)"/g, (m, _v) => (rng.chance(0.2) ? `="${rng.pick(['100000', '-1', 'NaN', '1e309', '', '0', '16385', '../../x.png', '&amp;&lt;', 'x'.repeat(5000), '2147483648'])}"` : m));
  }
  if (r === 3) { // deep nesting
    const n = 100 + rng.int(20000);
    return text.replace('<stack>', `<stack>${'<stack>'.repeat(n)}${'</stack>'.repeat(rng.chance(0.5) ? n : 0)}`);
  }
  if (r === 4) return text.replace(/<\/?[a-z]+/g, (m) => (rng.chance(0.1) ? '' : m)); // broken tags
  if (r === 5) return text.replace('<stack>', `<stack>${'<layer src="data/img-mul.png" x="0" y="0"/>'.repeat(1 + rng.int(3000))}`); // many layers
  return new TextDecoder().decode(mutateBytes(rng, new TextEncoder().encode(text)));
}

// ---- ZIP (ORA): unzip, change entries, zip again

export function mutateZip(rng: Rng, zip: Uint8Array, mutateEntry: (name: string, data: Uint8Array) => Uint8Array | null): Uint8Array {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch {
    return mutateBytes(rng, zip);
  }
  const out: Zippable = {};
  for (const [name, data] of Object.entries(entries)) {
    const next = mutateEntry(name, data);
    if (next) out[name] = [next, { level: name === 'mimetype' ? 0 : rng.pick([0, 1, 6] as const) }];
  }
  return zipSync(out);
}

/** Lossless WebP (VP8L) declaring width x height: 14-bit fields, so 16384 px a side at most. */
export function webpLosslessWithSize(webp: Uint8Array, width: number, height: number): Uint8Array {
  const b = Uint8Array.from(webp);
  const dv = new DataView(b.buffer);
  const rest = dv.getUint32(21, true) >>> 28;
  dv.setUint32(21, (((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14) | (rest << 28)) >>> 0, true);
  return b;
}

// A wire message that carries raw bytes (RGBA pixels) as one binary WebSocket frame
// instead of base64 inside JSON. Layout: u32 (little-endian) header length, the header
// as JSON (ASCII: other characters \u-escaped), then every byte array back to back. In the header each Uint8Array is
// replaced by {"$bytes": index} and `lengths` lists their sizes. A message without byte
// arrays stays a text frame (plain JSON).
const TAG = '$bytes';

interface Header {
  msg: unknown;
  lengths: number[];
}

/** The message as a text frame (no bytes inside) or a binary frame. */
export function encodeFrame(msg: unknown): string | Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(msg, function (this: unknown, key, value) {
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Uint8Array) {
      blobs.push(raw);
      return { [TAG]: blobs.length - 1 };
    }
    return value;
  });
  if (!blobs.length) return json;
  const header = asciiBytes(`{"lengths":${JSON.stringify(blobs.map((b) => b.byteLength))},"msg":${json}}`);
  const total = 4 + header.byteLength + blobs.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let at = 4 + header.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** A text frame (JSON) or a binary frame back into the message; byte arrays come back as views into the frame. */
export function decodeFrame(data: string | ArrayBuffer | ArrayBufferView): unknown {
  if (typeof data === 'string') return JSON.parse(data);
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength < 4) throw new Error('binary frame too short');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const header = JSON.parse(asciiText(bytes.subarray(4, 4 + headerLength))) as Header;
  const blobs: Uint8Array[] = [];
  let at = 4 + headerLength;
  for (const n of header.lengths) {
    if (at + n > bytes.byteLength) throw new Error('binary frame shorter than its header says');
    blobs.push(bytes.subarray(at, at + n));
    at += n;
  }
  return restore(header.msg, blobs);
}

function restore(value: unknown, blobs: readonly Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((v) => restore(v, blobs));
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o[TAG] === 'number') {
    const b = blobs[o[TAG]];
    if (!b) throw new Error(`binary frame has no byte array ${o[TAG]}`);
    return b;
  }
  for (const k of keys) o[k] = restore(o[k], blobs);
  return o;
}

/** JSON text -> one byte per character (non-ASCII escaped as \uXXXX, which JSON reads back). */
function asciiBytes(json: string): Uint8Array {
  const text = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function asciiText(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

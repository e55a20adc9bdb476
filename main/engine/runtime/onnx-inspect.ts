// Reads what a pack must be checked for from an ONNX file's protobuf, without ONNX Runtime:
// the graph's inputs and outputs (name, dtype, dims), every operator domain its nodes use
// (a domain ORT does not ship needs a custom-op library), and every tensor stored as
// external data (its `location`). A small hand-rolled protobuf walk over the fields that
// matter (onnx.proto3): skipping the rest costs nothing but a length read.
import { LaminaError } from '../../../common/errors/lamina-error.ts';

export interface OnnxValueInfo {
  name: string;
  dtype: string;
  /** numbers for fixed dims, strings for symbolic ones, null when unknown */
  dims: (number | string | null)[] | null;
}

export interface OnnxSummary {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** node domain -> op types used from it ('' is the default ONNX domain) */
  domains: Map<string, Set<string>>;
  /** domains defined by the model's own local functions */
  functionDomains: Set<string>;
  /** `location` of every external-data tensor, as written in the file */
  externalData: string[];
}

/** Domains ONNX Runtime implements itself; anything else needs a custom-op library. */
export const BUILTIN_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'com.microsoft.nchwc', 'ai.onnx.training', 'ai.onnx.preview.training', 'com.microsoft.experimental']);

const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

export type Field = { no: number; wire: number; value: number | bigint; bytes: Uint8Array | null };

export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly what: string) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw this.bad('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw this.bad('varint longer than 10 bytes');
  }

  *fields(): Generator<Field> {
    while (this.pos < this.buf.length) {
      const key = Number(this.varint());
      const no = key >>> 3;
      const wire = key & 7;
      switch (wire) {
        case 0: yield { no, wire, value: this.varint(), bytes: null }; break;
        case 1: this.skip(8); yield { no, wire, value: 0, bytes: null }; break;
        case 5: this.skip(4); yield { no, wire, value: 0, bytes: null }; break;
        case 2: {
          const len = Number(this.varint());
          if (len < 0 || this.pos + len > this.buf.length) throw this.bad(`field ${no} runs past the end (${len} bytes)`);
          const bytes = this.buf.subarray(this.pos, this.pos + len);
          this.pos += len;
          yield { no, wire, value: len, bytes };
          break;
        }
        default:
          throw this.bad(`unknown wire type ${wire}`);
      }
    }
  }

  private skip(n: number): void {
    if (this.pos + n > this.buf.length) throw this.bad('truncated fixed field');
    this.pos += n;
  }

  bad(why: string): LaminaError {
    return new LaminaError('bad_pack', `${this.what}: not a readable ONNX file (${why})`);
  }
}

const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : '');
const MAX_DEPTH = 64;

/** Summarizes an ONNX model's bytes; throws bad_pack for bytes that are not a model. */
export function inspectOnnx(bytes: Uint8Array, what: string): OnnxSummary {
  const out: OnnxSummary = { inputs: [], outputs: [], domains: new Map(), functionDomains: new Set(), externalData: [] };
  let graph: Uint8Array | null = null;
  let sawIrVersion = false;
  for (const f of new Reader(bytes, what).fields()) {
    if (f.no === 1 && f.wire === 0) sawIrVersion = true;
    else if (f.no === 7 && f.bytes) graph = f.bytes;
    else if (f.no === 25 && f.bytes) readFunction(f.bytes, what, out);
  }
  if (!sawIrVersion || !graph) throw new LaminaError('bad_pack', `${what}: not an ONNX model (no ir_version or graph)`);
  readGraph(graph, what, out, 0, true);
  return out;
}

function readGraph(bytes: Uint8Array, what: string, out: OnnxSummary, depth: number, top: boolean): void {
  if (depth > MAX_DEPTH) throw new LaminaError('bad_pack', `${what}: subgraphs nested deeper than ${MAX_DEPTH}`);
  const initializers = new Set<string>();
  const inputs: OnnxValueInfo[] = [];
  for (const f of new Reader(bytes, what).fields()) {
    if (!f.bytes) continue;
    if (f.no === 1) readNode(f.bytes, what, out, depth);
    else if (f.no === 5) initializers.add(readTensor(f.bytes, what, out));
    else if (f.no === 15) readSparse(f.bytes, what, out);
    else if (top && f.no === 11) inputs.push(readValueInfo(f.bytes, what));
    else if (top && f.no === 12) out.outputs.push(readValueInfo(f.bytes, what));
  }
  // IR < 4 lists initializers among the inputs too; those are not feeds
  if (top) out.inputs = inputs.filter((i) => !initializers.has(i.name));
}

function readFunction(bytes: Uint8Array, what: string, out: OnnxSummary): void {
  for (const f of new Reader(bytes, what).fields()) {
    if (f.no === 10 && f.bytes) out.functionDomains.add(text(f.bytes));
    else if (f.no === 7 && f.bytes) readNode(f.bytes, what, out, 1);
  }
}

function readNode(bytes: Uint8Array, what: string, out: OnnxSummary, depth: number): void {
  let domain = '';
  let opType = '';
  for (const f of new Reader(bytes, what).fields()) {
    if (!f.bytes) continue;
    if (f.no === 4) opType = text(f.bytes);
    else if (f.no === 7) domain = text(f.bytes);
    else if (f.no === 5) readAttribute(f.bytes, what, out, depth);
  }
  const ops = out.domains.get(domain) ?? new Set<string>();
  ops.add(opType);
  out.domains.set(domain, ops);
}

function readAttribute(bytes: Uint8Array, what: string, out: OnnxSummary, depth: number): void {
  for (const f of new Reader(bytes, what).fields()) {
    if (!f.bytes) continue;
    if (f.no === 5 || f.no === 10) readTensor(f.bytes, what, out); // t, tensors
    else if (f.no === 6 || f.no === 11) readGraph(f.bytes, what, out, depth + 1, false); // g, graphs
    else if (f.no === 22 || f.no === 23) readSparse(f.bytes, what, out); // sparse_tensor(s)
  }
}

function readSparse(bytes: Uint8Array, what: string, out: OnnxSummary): void {
  for (const f of new Reader(bytes, what).fields()) if (f.bytes && (f.no === 1 || f.no === 2)) readTensor(f.bytes, what, out);
}

/** Returns the tensor's name; records its external-data location. */
function readTensor(bytes: Uint8Array, what: string, out: OnnxSummary): string {
  let name = '';
  let external = false;
  let location: string | null = null;
  for (const f of new Reader(bytes, what).fields()) {
    if (f.no === 8 && f.bytes) name = text(f.bytes);
    else if (f.no === 14 && f.wire === 0) external = Number(f.value) === 1;
    else if (f.no === 13 && f.bytes) {
      let key = '';
      let value = '';
      for (const e of new Reader(f.bytes, what).fields()) {
        if (e.no === 1) key = text(e.bytes);
        else if (e.no === 2) value = text(e.bytes);
      }
      if (key === 'location') location = value;
    }
  }
  if (external || location !== null) {
    if (location === null) throw new LaminaError('bad_pack', `${what}: tensor "${name}" is stored externally but names no location`);
    out.externalData.push(location);
  }
  return name;
}

function readValueInfo(bytes: Uint8Array, what: string): OnnxValueInfo {
  let name = '';
  let dtype = '?';
  let dims: (number | string | null)[] | null = null;
  for (const f of new Reader(bytes, what).fields()) {
    if (f.no === 1) name = text(f.bytes);
    else if (f.no === 2 && f.bytes) {
      for (const t of new Reader(f.bytes, what).fields()) {
        if (t.no !== 1 || !t.bytes) continue; // tensor_type
        for (const tt of new Reader(t.bytes, what).fields()) {
          if (tt.no === 1 && tt.wire === 0) dtype = ELEM_TYPES[Number(tt.value)] ?? `elem_type ${tt.value}`;
          else if (tt.no === 2 && tt.bytes) {
            dims = [];
            for (const d of new Reader(tt.bytes, what).fields()) {
              if (d.no !== 1 || !d.bytes) continue;
              let dim: number | string | null = null;
              for (const dd of new Reader(d.bytes, what).fields()) {
                if (dd.no === 1 && dd.wire === 0) dim = Number(BigInt.asIntN(64, BigInt(dd.value)));
                else if (dd.no === 2) dim = text(dd.bytes);
              }
              dims.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, dtype, dims };
}

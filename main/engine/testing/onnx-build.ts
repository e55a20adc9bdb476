// Builds small ONNX models byte by byte (protobuf, onnx.proto3) for tests and the fuzzer:
// hostile packs need graphs that no exporter would write (custom domains, external data
// pointing anywhere), and writing them here needs no Python.
export type Dim = number | string;
export interface BuildValue { name: string; elemType?: number; dims: Dim[] }
export interface BuildNode { op: string; domain?: string; inputs: string[]; outputs: string[] }
export interface BuildInitializer { name: string; dims: number[]; floats?: number[]; externalLocation?: string }
export interface BuildModel {
  nodes: BuildNode[];
  inputs: BuildValue[];
  outputs: BuildValue[];
  initializers?: BuildInitializer[];
  opset?: number;
}

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const key = (no: number, wire: number) => varint((no << 3) | wire);
const vint = (no: number, v: number | bigint) => [...key(no, 0), ...varint(v)];
const bytesField = (no: number, b: number[] | Uint8Array) => [...key(no, 2), ...varint(b.length), ...b];
const str = (no: number, s: string) => bytesField(no, [...new TextEncoder().encode(s)]);

function valueInfo(v: BuildValue): number[] {
  const dims = v.dims.flatMap((d) => bytesField(1, typeof d === 'number' ? vint(1, d) : str(2, d)));
  const tensorType = [...vint(1, v.elemType ?? 1), ...bytesField(2, dims)];
  return [...str(1, v.name), ...bytesField(2, bytesField(1, tensorType))];
}

function tensor(t: BuildInitializer): number[] {
  const out = [...t.dims.flatMap((d) => vint(1, d)), ...vint(2, 1), ...str(8, t.name)];
  if (t.externalLocation !== undefined) {
    out.push(...bytesField(13, [...str(1, 'location'), ...str(2, t.externalLocation)]));
    out.push(...vint(14, 1));
  } else {
    const raw = new Uint8Array(new Float32Array(t.floats ?? new Array(t.dims.reduce((a, b) => a * b, 1)).fill(0)).buffer);
    out.push(...bytesField(9, raw));
  }
  return out;
}

export function buildOnnx(m: BuildModel): Uint8Array {
  const graph = [
    ...m.nodes.flatMap((n) => bytesField(1, [...n.inputs.flatMap((i) => str(1, i)), ...n.outputs.flatMap((o) => str(2, o)), ...str(4, n.op), ...(n.domain ? str(7, n.domain) : [])])),
    ...str(2, 'g'),
    ...(m.initializers ?? []).flatMap((t) => bytesField(5, tensor(t))),
    ...m.inputs.flatMap((v) => bytesField(11, valueInfo(v))),
    ...m.outputs.flatMap((v) => bytesField(12, valueInfo(v))),
  ];
  return new Uint8Array([...vint(1, 8), ...str(2, 'lamina-test'), ...bytesField(7, graph), ...bytesField(8, [...str(1, ''), ...vint(2, m.opset ?? 17)])]);
}

// Feeds checked against what the graph declares (session metadata and the pack manifest)
// before ORT sees them: missing and unexpected inputs, dtype, rank, fixed dims, and
// symbolic dims that must agree across inputs ("batch", "text_len", "text_len + 16").
// One error lists every problem, each naming the input's expected and given dtype + dims.
// Also: zero tensors for inputs a pipeline does not use (zeros = "no effect" in Lamina's
// graphs) and reusable buffers so a denoising loop does not allocate per step.
import ort from 'onnxruntime-node';
import { LaminaError } from '../../../common/errors/lamina-error.ts';

export type Dim = number | string;
export interface IoSpec {
  name: string;
  dtype: string;
  dims: Dim[];
}

const DTYPE_ALIASES: Record<string, ort.Tensor.Type> = {
  float: 'float32', float32: 'float32', fp32: 'float32', 'tensor(float)': 'float32',
  float16: 'float16', fp16: 'float16', half: 'float16', 'tensor(float16)': 'float16',
  double: 'float64', float64: 'float64',
  int64: 'int64', long: 'int64', 'tensor(int64)': 'int64',
  int32: 'int32', int: 'int32', 'tensor(int32)': 'int32',
  int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64',
  bool: 'bool', boolean: 'bool', string: 'string',
};

export function normalizeDtype(dtype: string): string {
  return DTYPE_ALIASES[dtype.toLowerCase()] ?? dtype.toLowerCase();
}

export function formatDims(dims: readonly Dim[]): string {
  return `[${dims.join(', ')}]`;
}

/**
 * The inputs a graph expects: the manifest's declaration (which may carry dim expressions)
 * merged with the session's metadata (the ground truth for names, dtypes and fixed dims).
 */
export function expectedInputs(session: Pick<ort.InferenceSession, 'inputNames' | 'inputMetadata'>, manifestInputs: readonly IoSpec[] = []): IoSpec[] {
  const byName = new Map(manifestInputs.map((s) => [s.name, s]));
  const meta = session.inputMetadata ?? [];
  return session.inputNames.map((name, i) => {
    const m = meta[i] as ort.InferenceSession.ValueMetadata | undefined;
    const man = byName.get(name);
    const dtype = m && m.isTensor ? m.type : man?.dtype ?? 'unknown';
    const metaDims: Dim[] = m && m.isTensor ? [...m.shape] : [];
    let dims: Dim[] = man?.dims ? [...man.dims] : metaDims;
    // the session is authoritative for fixed dims; the manifest may name the symbolic ones
    if (man && metaDims.length === dims.length) dims = dims.map((d, k) => (typeof metaDims[k] === 'number' ? metaDims[k] : d));
    else if (man && metaDims.length > 0 && metaDims.length !== dims.length) dims = metaDims;
    return { name, dtype: normalizeDtype(dtype), dims };
  });
}

// ---------------------------------------------------------------- dim expressions
/** Evaluates "text_len + 16", "2 * h", "(a + b) / 2" with bound symbols; null if any is unbound. */
export function evalDim(expr: string, bindings: ReadonlyMap<string, number>): number | null {
  const tokens = expr.match(/[A-Za-z_][A-Za-z0-9_]*|\d+|[-+*/()]/g);
  if (!tokens) return null;
  let pos = 0;
  const peek = () => tokens[pos];
  const primary = (): number | null => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (t === '(') {
      const v = sum();
      if (tokens[pos++] !== ')') return null;
      return v;
    }
    if (t === '-') {
      const v = primary();
      return v === null ? null : -v;
    }
    if (/^\d+$/.test(t)) return Number(t);
    const b = bindings.get(t);
    return b === undefined ? null : b;
  };
  const product = (): number | null => {
    let v = primary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[pos++];
      const r = primary();
      if (v === null || r === null) return null;
      v = op === '*' ? v * r : Math.floor(v / r);
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[pos++];
      const r = product();
      if (v === null || r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return pos === tokens.length ? v : null;
}

const isSymbol = (d: Dim): d is string => typeof d === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(d);

function describeGiven(t: ort.Tensor): string {
  return `${t.type} ${formatDims(t.dims as number[])}`;
}

/**
 * Checks feeds against the expected inputs. Returns the symbol bindings (e.g. batch = 2)
 * or throws LaminaError('bad_request') listing every mismatch.
 */
export function validateFeeds(graph: string, expected: readonly IoSpec[], feeds: Readonly<Record<string, ort.Tensor>>, bindings: Map<string, number> = new Map()): Map<string, number> {
  const problems: string[] = [];
  const names = new Set(expected.map((e) => e.name));
  // pass 1: bind plain symbols from the feeds (first occurrence wins, later ones must agree)
  for (const spec of expected) {
    const t = feeds[spec.name];
    if (!t || t.dims.length !== spec.dims.length) continue;
    spec.dims.forEach((d, k) => {
      if (isSymbol(d) && !bindings.has(d)) bindings.set(d, t.dims[k]);
    });
  }
  for (const spec of expected) {
    const t = feeds[spec.name];
    const want = `${spec.dtype} ${formatDims(spec.dims)}`;
    if (!t) {
      problems.push(`missing input "${spec.name}": expects ${want}`);
      continue;
    }
    const why: string[] = [];
    if (spec.dtype !== 'unknown' && normalizeDtype(t.type) !== spec.dtype) why.push(`dtype ${t.type} is not ${spec.dtype}`);
    if (t.dims.length !== spec.dims.length) {
      why.push(`rank ${t.dims.length} is not ${spec.dims.length}`);
    } else {
      spec.dims.forEach((d, k) => {
        const given = t.dims[k];
        if (typeof d === 'number') {
          if (d >= 0 && given !== d) why.push(`dim ${k} is ${given}, must be ${d}`);
        } else if (isSymbol(d)) {
          const b = bindings.get(d);
          if (b !== undefined && b !== given) why.push(`dim ${k} (${d}) is ${given}, but ${d} = ${b} elsewhere`);
        } else {
          const v = evalDim(d, bindings);
          if (v !== null && v !== given) why.push(`dim ${k} (${d}) is ${given}, must be ${v}`);
        }
      });
    }
    const size = t.dims.reduce((a, b) => a * b, 1);
    if (t.type !== 'string' && (t.data as ArrayLike<unknown>).length !== size) why.push(`holds ${(t.data as ArrayLike<unknown>).length} values for ${size} elements`);
    if (why.length) problems.push(`input "${spec.name}": expects ${want}, given ${describeGiven(t)} (${why.join('; ')})`);
  }
  for (const [name, t] of Object.entries(feeds)) {
    if (!names.has(name)) problems.push(`unexpected input "${name}" (given ${describeGiven(t)}); the graph takes: ${[...names].join(', ')}`);
  }
  if (problems.length) {
    throw new LaminaError('bad_request', `${graph}: feeds do not match the graph:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  return bindings;
}

/** Resolves a spec's dims to numbers with the given bindings; null if a dim is unknown. */
export function resolveDims(dims: readonly Dim[], bindings: ReadonlyMap<string, number>): number[] | null {
  const out: number[] = [];
  for (const d of dims) {
    const v = typeof d === 'number' ? (d >= 0 ? d : null) : isSymbol(d) ? bindings.get(d) ?? null : evalDim(d, bindings);
    if (v === null || v === undefined) return null;
    out.push(v);
  }
  return out;
}

type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | BigUint64Array;

export function allocate(dtype: string, size: number): TypedArray {
  switch (normalizeDtype(dtype)) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'int64': return new BigInt64Array(size);
    case 'uint8': case 'bool': return new Uint8Array(size);
    case 'int8': return new Int8Array(size);
    case 'float16': case 'uint16': return new Uint16Array(size);
    case 'int16': return new Int16Array(size);
    case 'uint32': return new Uint32Array(size);
    case 'uint64': return new BigUint64Array(size);
    default: throw new LaminaError('unsupported', `dtype ${dtype} is not supported by Lamina's feeds`);
  }
}

/** A tensor of `dtype` from plain numbers (ints become BigInt for int64). */
export function tensorFrom(dtype: string, values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  const t = normalizeDtype(dtype);
  const data = allocate(t, values.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) for (let i = 0; i < values.length; i++) data[i] = BigInt(Math.trunc(values[i]));
  else if (t === 'float16') throw new LaminaError('unsupported', 'float16 feeds are not supported yet: export the graph with float32 inputs');
  else (data as Float32Array).set(values);
  return new ort.Tensor(t as 'float32', data as Float32Array, [...dims]);
}

/**
 * Reusable feed tensors: one buffer per (name, dims, dtype), handed out again on the next
 * call with the same shape, so a 20-step loop allocates its feeds once. Zero tensors for
 * unused inputs are shared and must not be written to.
 */
export class FeedBuffers {
  private readonly cache = new Map<string, ort.Tensor>();

  /** A tensor whose data the caller overwrites before each run. */
  tensor(name: string, dtype: string, dims: readonly number[]): ort.Tensor {
    const key = `${name}|${normalizeDtype(dtype)}|${dims.join('x')}`;
    let t = this.cache.get(key);
    if (!t) {
      const size = dims.reduce((a, b) => a * b, 1);
      t = new ort.Tensor(normalizeDtype(dtype) as 'float32', allocate(dtype, size) as Float32Array, [...dims]);
      this.cache.set(key, t);
    }
    return t;
  }

  /** A zero tensor (shared; do not write). */
  zeros(dtype: string, dims: readonly number[]): ort.Tensor {
    return this.tensor('\u0000zeros', dtype, dims);
  }

  /** Zero tensors for every expected input the feeds leave out, dims resolved from bindings. */
  fillMissingWithZeros(graph: string, expected: readonly IoSpec[], feeds: Record<string, ort.Tensor>, bindings: Map<string, number>): string[] {
    const filled: string[] = [];
    // bind symbols from what is given first
    for (const spec of expected) {
      const t = feeds[spec.name];
      if (t && t.dims.length === spec.dims.length) spec.dims.forEach((d, k) => {
        if (isSymbol(d) && !bindings.has(d)) bindings.set(d, t.dims[k]);
      });
    }
    for (const spec of expected) {
      if (feeds[spec.name]) continue;
      const dims = resolveDims(spec.dims, bindings);
      if (!dims) {
        throw new LaminaError('bad_pack', `${graph}: cannot size a zero tensor for unused input "${spec.name}" ${spec.dtype} ${formatDims(spec.dims)}; known dims: ${[...bindings].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'} (declare its dims in the manifest as expressions of other inputs' dims)`);
      }
      feeds[spec.name] = this.zeros(spec.dtype, dims);
      filled.push(spec.name);
    }
    return filled;
  }
}

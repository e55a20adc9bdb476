// One graph of a pack, ready to run: a pooled session, its expected inputs (session
// metadata merged with the manifest), reusable feed buffers, feed validation and zero
// tensors for the inputs a caller leaves out.
import type ort from 'onnxruntime-node';
import type { GraphSpec } from '../../../common/models/pack-manifest.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { expectedInputs, FeedBuffers, type IoSpec, validateFeeds } from './feeds.ts';
import type { PooledSession } from './session-pool.ts';

export interface RunOptions {
  /** known symbolic dims (e.g. joint_len), on top of those bound by the feeds */
  bindings?: Record<string, number>;
  /** fill inputs the caller does not give with zeros ("no effect" in Lamina graphs); default true */
  zeroFill?: boolean;
  /** only these outputs (saves copies); default all */
  fetch?: string[];
}

export class GraphRunner {
  readonly inputs: IoSpec[];
  readonly outputNames: readonly string[];
  readonly buffers = new FeedBuffers();

  constructor(
    readonly name: string,
    readonly pooled: PooledSession,
    manifestGraph?: Pick<GraphSpec, 'inputs' | 'outputs'>,
  ) {
    this.inputs = expectedInputs(pooled.session, manifestGraph?.inputs ?? []);
    this.outputNames = pooled.session.outputNames;
  }

  get provider(): string {
    return this.pooled.provider;
  }

  hasInput(name: string): boolean {
    return this.inputs.some((i) => i.name === name);
  }

  /** The first of `candidates` this graph takes as input (role aliases), or null. */
  inputNamed(...candidates: string[]): string | null {
    return candidates.find((c) => this.hasInput(c)) ?? null;
  }

  outputNamed(...candidates: string[]): string {
    return candidates.find((c) => this.outputNames.includes(c)) ?? this.outputNames[0];
  }

  spec(name: string): IoSpec {
    const s = this.inputs.find((i) => i.name === name);
    if (!s) throw new LaminaError('bad_pack', `${this.name}: no input "${name}" (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    return s;
  }

  async run(feeds: Record<string, ort.Tensor>, opts: RunOptions = {}): Promise<Record<string, ort.Tensor>> {
    const all = { ...feeds };
    const bindings = new Map(Object.entries(opts.bindings ?? {}));
    if (opts.zeroFill ?? true) this.buffers.fillMissingWithZeros(this.name, this.inputs, all, bindings);
    validateFeeds(this.name, this.inputs, all, bindings);
    const session = this.pooled.session;
    try {
      const out = opts.fetch ? await session.run(all, opts.fetch) : await session.run(all);
      return out as Record<string, ort.Tensor>;
    } catch (err) {
      const msg = String((err as Error).message ?? err).split('\n')[0];
      throw new LaminaError('internal', `${this.name} (${this.pooled.provider}) failed to run: ${msg}`);
    }
  }
}

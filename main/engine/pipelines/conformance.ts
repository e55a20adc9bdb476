// The suite every pipeline passes (DESIGN 6.7): output shape, seeded determinism, cancel
// within one step, no session left open, bad spec -> clear error. A pipeline's test file
// calls conformance(...) with a pack and a small spec; the suite registers node:test tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobEvent } from '../../../common/contract/contract.ts';
import type { GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { JobContext } from '../jobs/job-context.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { pixelDigest } from '../testing/pixel-digest.ts';

export interface PipelineUnderTest {
  run(spec: GenerationSpecInput, ctx: JobContext): Promise<unknown>;
}

export interface ConformanceOptions {
  /** suite name prefix, e.g. "text-to-image on fixture-tiny" */
  name: string;
  /** the pack, or a reason to skip (e.g. the pack is not built yet) */
  pack: Pack | { skip: string };
  make(pack: Pack, pool: SessionPool): PipelineUnderTest;
  /** a small valid spec (few steps) */
  spec: GenerationSpecInput;
  /** invalid specs and what their error must say */
  badSpecs: { spec: unknown; code?: string; message: RegExp }[];
}

interface LayerLike {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export function collectingContext(onEvent?: (ev: Omit<JobEvent, 'jobId'>, ctl: AbortController) => void): { ctx: JobContext; events: Omit<JobEvent, 'jobId'>[]; controller: AbortController } {
  const controller = new AbortController();
  const events: Omit<JobEvent, 'jobId'>[] = [];
  const ctx: JobContext = {
    signal: controller.signal,
    progress: (ev) => {
      events.push(ev);
      onEvent?.(ev, controller);
    },
  };
  return { ctx, events, controller };
}

function layersOf(result: unknown): LayerLike[] {
  const layers = (result as { layers?: LayerLike[] }).layers;
  assert.ok(Array.isArray(layers) && layers.length > 0, 'result.layers must be a non-empty array');
  return layers;
}

export function conformance(opts: ConformanceOptions): void {
  const skip = 'skip' in opts.pack ? opts.pack.skip : false;
  const pack = 'skip' in opts.pack ? null : opts.pack;
  const withPool = async <T>(fn: (pool: SessionPool) => Promise<T>): Promise<T> => {
    const pool = new SessionPool();
    try {
      return await fn(pool);
    } finally {
      await pool.dispose();
      assert.equal(pool.openSessionCount, 0, 'sessions left open after dispose');
    }
  };

  test(`${opts.name}: output shape, progress events, raw RGBA layers of the requested size`, { skip }, () => withPool(async (pool) => {
    const { ctx, events } = collectingContext();
    const result = await opts.make(pack!, pool).run(opts.spec, ctx);
    for (const layer of layersOf(result)) {
      assert.equal(layer.width, opts.spec.width);
      assert.equal(layer.height, opts.spec.height);
      assert.ok(layer.rgba instanceof Uint8Array, 'a layer carries raw RGBA bytes');
      assert.equal(layer.rgba.byteLength, opts.spec.width * opts.spec.height * 4);
    }
    const steps = events.filter((e) => e.state === 'step');
    assert.equal(steps.length, opts.spec.steps, 'one step event per step');
    steps.forEach((e, k) => {
      assert.equal(e.i, k + 1);
      assert.equal(e.n, opts.spec.steps);
    });
    assert.ok(typeof (result as { provider?: unknown }).provider === 'string', 'result.provider names the execution provider that ran');
  }));

  test(`${opts.name}: same seed -> identical bytes, other seed -> different`, { skip }, () => withPool(async (pool) => {
    const p = opts.make(pack!, pool);
    const a = layersOf(await p.run(opts.spec, collectingContext().ctx));
    const b = layersOf(await opts.make(pack!, pool).run(opts.spec, collectingContext().ctx));
    assert.deepEqual(b.map(pixelDigest), a.map(pixelDigest));
    const c = layersOf(await p.run({ ...opts.spec, seed: (opts.spec.seed + 1) % 2 ** 32 }, collectingContext().ctx));
    assert.notDeepEqual(c.map(pixelDigest), a.map(pixelDigest));
  }));

  test(`${opts.name}: cancel mid-run stops within one step`, { skip }, () => withPool(async (pool) => {
    const steps = Math.max(opts.spec.steps, 4);
    let abortedAt = -1;
    const { ctx, events } = collectingContext((ev, ctl) => {
      if (ev.state === 'step' && ev.i === 2) {
        abortedAt = 2;
        ctl.abort();
      }
    });
    await assert.rejects(opts.make(pack!, pool).run({ ...opts.spec, steps }, ctx), (err) => err instanceof LaminaError && err.code === 'cancelled');
    assert.equal(abortedAt, 2);
    const after = events.filter((e) => e.state === 'step' && (e.i ?? 0) > abortedAt);
    assert.ok(after.length <= 1, `ran ${after.length} steps after cancel`);
    assert.equal(pool.inUseCount, 0, 'a cancelled run gave its sessions back');
  }));

  test(`${opts.name}: no session left checked out; dispose closes all; reuse across runs`, { skip }, async () => {
    const pool = new SessionPool();
    const p = opts.make(pack!, pool);
    await p.run(opts.spec, collectingContext().ctx);
    const open = pool.openSessionCount;
    assert.ok(open > 0);
    assert.equal(pool.inUseCount, 0);
    await p.run(opts.spec, collectingContext().ctx);
    assert.equal(pool.openSessionCount, open, 'a second run reuses the pooled sessions');
    assert.equal(pool.created, open, 'no session was created twice');
    await assert.rejects(p.run(opts.badSpecs[0].spec as GenerationSpecInput, collectingContext().ctx));
    assert.equal(pool.inUseCount, 0, 'a failed run gave its sessions back');
    await pool.dispose();
    assert.equal(pool.openSessionCount, 0);
  });

  test(`${opts.name}: bad spec -> clear error`, { skip }, () => withPool(async (pool) => {
    const p = opts.make(pack!, pool);
    for (const bad of opts.badSpecs) {
      await assert.rejects(p.run(bad.spec as GenerationSpecInput, collectingContext().ctx), (err) => {
        assert.ok(err instanceof LaminaError, `expected a LaminaError, got ${String(err)}`);
        if (bad.code) assert.equal(err.code, bad.code);
        assert.match(err.message, bad.message);
        return true;
      });
    }
  }));
}

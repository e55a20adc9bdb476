// Finds model packs in folders, validates their manifests and verifies every file's
// sha256 (cached by size + mtime). A pack that fails is listed with an error naming the
// file and the check; it is never loaded.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import type { PackSummary } from '../../../common/contract/contract.ts';
import { describeZodError } from '../../../common/contract/validate.ts';
import { LaminaError, oneLineError } from '../../../common/errors/lamina-error.ts';
import { FileEntry, PackManifest, isPlacementManifest, manifestSchemaFor, type AnyPackManifest } from '../../../common/models/pack-manifest.ts';
import { migratePackManifest } from '../../../common/models/pack-manifest-migrate.ts';
import { estimatePackMemory } from './pack-memory.ts';
import { checkPackGraphs } from './pack-graph-check.ts';
import { readPackVocabulary } from '../text/pack-vocabulary.ts';

export interface Pack {
  id: string;
  dir: string;
  manifest: AnyPackManifest;
}

const PackFiles = z.object({ id: z.string().min(1), files: z.record(z.string(), FileEntry) });

const hashCache = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

async function sha256File(path: string): Promise<string> {
  const st = await stat(path);
  const hit = hashCache.get(path);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  hashCache.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
  return sha256;
}

/** Reads and verifies one pack folder. Throws LaminaError('bad_pack') naming the failed check, in one line. */
export async function verifyPack(dir: string): Promise<Pack> {
  try {
    return await verifyPackFolder(dir);
  } catch (err) {
    throw err instanceof LaminaError ? oneLineError(err) : err;
  }
}

async function verifyPackFolder(dir: string): Promise<Pack> {
  const manifestPath = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    throw new LaminaError('bad_pack', `${manifestPath}: cannot read manifest (${(err as Error).message.split('\n')[0]})`);
  }
  // files first (the checksums hold whatever the manifest's format), then the components
  const listed = PackFiles.safeParse(raw);
  if (!listed.success) throw new LaminaError('bad_pack', `${manifestPath}: ${describeZodError(listed.error)}`);
  for (const [rel, entry] of Object.entries(listed.data.files)) {
    if (isAbsolute(rel) || normalize(rel).split(sep).includes('..')) {
      throw new LaminaError('bad_pack', `${manifestPath}: file "${rel}" points outside the pack`);
    }
    const path = join(dir, rel);
    if (!existsSync(path)) throw new LaminaError('bad_pack', `${path}: listed in the manifest but missing`);
    const st = await stat(path);
    if (st.size !== entry.bytes) throw new LaminaError('bad_pack', `${path}: size ${st.size} bytes, manifest says ${entry.bytes}`);
    const sha = await sha256File(path);
    if (sha !== entry.sha256) throw new LaminaError('bad_pack', `${path}: sha256 mismatch (file ${sha.slice(0, 12)}…, manifest ${entry.sha256.slice(0, 12)}…)`);
  }
  let migrated: unknown;
  try {
    migrated = migratePackManifest(raw);
  } catch (err) {
    throw new LaminaError('bad_pack', `${manifestPath}: ${(err as Error).message}`);
  }
  const parsed = manifestSchemaFor(migrated).safeParse(migrated);
  if (!parsed.success) throw new LaminaError('bad_pack', `${manifestPath}: ${describeZodError(parsed.error)}`);
  const manifest = parsed.data;
  // LayerBind is training-free: any pack that does text-to-image on a transformer that
  // takes a joint attention bias and a text mask can do it
  const io = isPlacementManifest(manifest) ? null : manifest.components.transformer.io;
  if (io && manifest.pipelines.includes('text-to-image') && !manifest.pipelines.includes('layerbind') && io.attentionBias && io.textMask) manifest.pipelines.push('layerbind');
  // so is a text edit (K/V patching) on a transformer that returns and takes each block's text K/V
  if (io && manifest.pipelines.includes('text-to-image') && !manifest.pipelines.includes('text-edit') && io.textKv) manifest.pipelines.push('text-edit');
  for (const [name, graph] of Object.entries(manifest.graphs)) {
    if (!(graph.file in manifest.files)) throw new LaminaError('bad_pack', `${manifestPath}: graph "${name}" file "${graph.file}" is not in files`);
  }
  // native code, external data and each graph's inputs/outputs, read from the ONNX bytes
  await checkPackGraphs(dir, manifest, raw, (rel) => listed.data.files[rel].sha256);
  return { id: manifest.id, dir, manifest };
}

export class PackRegistry {
  constructor(
    private readonly packs: Map<string, Pack>,
    readonly summaries: PackSummary[],
  ) {}

  /** The pack with `id`; when id is omitted, the first good pack that lists `pipeline`
   * (e.g. "placement" finds models/lamina-place), or the first good pack. */
  resolve(id?: string, pipeline?: string): Pack {
    if (id) {
      const pack = this.packs.get(id);
      if (pack) return pack;
      const broken = this.summaries.find((s) => s.id === id);
      if (broken) throw new LaminaError('bad_pack', `model pack "${id}" failed verification: ${broken.error}`);
      throw new LaminaError('not_found', `no model pack "${id}" (have: ${[...this.packs.keys()].join(', ') || 'none'})`);
    }
    if (pipeline) {
      for (const pack of this.packs.values()) if (pack.manifest.pipelines.includes(pipeline)) return pack;
    }
    const first = this.packs.values().next();
    if (first.done) throw new LaminaError('not_found', 'no verified model pack found');
    return first.value;
  }
}

/** Scans each folder for subfolders holding a manifest.json. */
export async function loadPackRegistry(dirs: readonly string[]): Promise<PackRegistry> {
  const packs = new Map<string, Pack>();
  const summaries: PackSummary[] = [];
  for (const root of dirs) {
    let names: string[];
    try {
      names = (await readdir(root)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = resolve(root, name);
      if (!existsSync(join(dir, 'manifest.json'))) continue;
      try {
        const pack = await verifyPack(dir);
        if (packs.has(pack.id)) continue;
        packs.set(pack.id, pack);
        const m = pack.manifest;
        summaries.push(isPlacementManifest(m)
          ? { id: pack.id, version: m.version, dir, ok: true, error: null, pipelines: m.pipelines, native: null, defaultSteps: null, family: 'placement', vocabulary: null }
          : {
            id: pack.id, version: m.version, dir, ok: true, error: null, pipelines: m.pipelines,
            native: { ...m.native }, resolution: { ...m.resolution }, defaultSteps: m.components.scheduler.defaultSteps,
            family: m.components.transformer.family,
            dtype: (m.about.conversion as { dtype?: string } | undefined)?.dtype ?? 'fp32', memoryBytes: estimatePackMemory(m).bytes,
            vocabulary: readPackVocabulary(dir, m),
            ...(Object.keys(m.components.adapters).length ? {
              adapters: Object.entries(m.components.adapters).map(([id, a]) => ({ id, defaultStrength: a.defaultStrength, blocks: a.blocks, ...(a.description ? { description: a.description } : {}) })),
            } : {}),
          });
      } catch (err) {
        summaries.push({ id: name, version: '?', dir, ok: false, error: (err as Error).message, pipelines: [], native: null, defaultSteps: null, vocabulary: null });
      }
    }
  }
  return new PackRegistry(packs, summaries);
}

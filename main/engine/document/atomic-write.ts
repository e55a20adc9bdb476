// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over
// the target, fsync the directory. On any failure the temp file is removed and the previous
// file (if any) is left exactly as it was. A process killed mid-write (kill -9, power loss)
// cannot remove its temp file: each temp name carries its writer's pid, and the next save of
// that target (or the engine's start, for its own folders: sweepTempLitter) removes temp
// files whose writer is gone, and puts back a folder that a PNG stack save had moved aside.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LaminaError } from '../../../common/errors/lamina-error.ts';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'the target is a folder',
  EEXIST: 'a temporary file already exists',
  ENAMETOOLONG: 'the name is too long',
};

export async function atomicWriteFile(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await sweepTempLitter(dir, basename(path));
  const temp = tempPath(path);
  try {
    await writeAndSync(temp, bytes);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw ioError(path, err);
  } finally {
    active.delete(temp);
  }
  await syncDirectory(dir);
}

/**
 * Writes `files` (relative name -> bytes) as the folder `path`: everything goes into a temp
 * folder beside it first, which then replaces `path` in one rename (a previous folder at
 * `path` is moved aside and removed only after the new one is in place).
 */
export async function atomicWriteFolder(path: string, files: ReadonlyMap<string, Uint8Array>): Promise<string[]> {
  const parent = dirname(path);
  await sweepTempLitter(parent, basename(path));
  const temp = tempPath(path);
  const old = tempPath(path, 'old');
  try {
    await mkdir(temp);
    for (const [name, bytes] of files) await writeAndSync(join(temp, name), bytes);
    const previous = await stat(path).catch(() => null);
    if (previous && !previous.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    if (previous) await rename(path, old);
    try {
      await rename(temp, path);
    } catch (err) {
      if (previous) await rename(old, path);
      throw err;
    }
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    // a previous folder that could not be put back stays listed: this process never sweeps it
    if (!(await stat(old).catch(() => null))) active.delete(old);
    throw ioError(path, err);
  } finally {
    active.delete(temp);
  }
  await rm(old, { recursive: true, force: true }).catch(() => undefined);
  active.delete(old);
  await syncDirectory(parent);
  return [...files.keys()].map((name) => join(path, name));
}

/** temp and moved-aside paths this process is writing now (never swept) */
const active = new Set<string>();

/** `.<target>.<pid>-<12 hex>.tmp` (or `.old`: a previous folder moved aside); names without
 * the pid (written before it was added) count as litter of a process that is gone. */
const LITTER = /^\.(.+)\.(?:(\d+)-)?[0-9a-f]{12}\.(tmp|old)$/;

function tempPath(path: string, kind: 'tmp' | 'old' = 'tmp'): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.${kind}`);
  active.add(temp);
  return temp;
}

function writerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what interrupted saves left in `dir` (for the file `target` only, or for every
 * file): temp files whose writing process is gone, and a previous folder that a PNG stack
 * save had moved aside (put back when nothing took its place, removed otherwise). Files of
 * a save in progress (this process's, or a live process's) are left alone. Best effort:
 * never throws; returns the names it removed or put back.
 */
export async function sweepTempLitter(dir: string, target?: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const swept: string[] = [];
  for (const name of names) {
    const m = LITTER.exec(name);
    if (!m || (target !== undefined && m[1] !== target)) continue;
    const path = join(dir, name);
    if (active.has(path) || (m[2] && Number(m[2]) !== process.pid && writerAlive(Number(m[2])))) continue;
    try {
      const targetPath = join(dir, m[1]);
      if (m[3] === 'old' && !(await stat(targetPath).catch(() => null))) await rename(path, targetPath);
      else await rm(path, { recursive: true, force: true });
      swept.push(name);
    } catch {
      // another sweeper got there first, or it is not ours to remove: leave it
    }
  }
  return swept;
}

async function writeAndSync(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename durable; some file systems refuse fsync on a directory, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

function ioError(path: string, err: unknown): LaminaError {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  const reason = REASONS[code] ?? (err instanceof Error ? err.message.split('\n')[0] : String(err));
  return new LaminaError('io_error', `could not save ${path}: ${reason}${code && REASONS[code] ? ` (${code})` : ''}`);
}

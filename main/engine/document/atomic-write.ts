// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over
// the target, fsync the directory. On any failure the temp file is removed and the previous
// file (if any) is left exactly as it was.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
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
  const temp = tempPath(path);
  try {
    await writeAndSync(temp, bytes);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw ioError(path, err);
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
  const temp = tempPath(path);
  const old = tempPath(path);
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
    throw ioError(path, err);
  }
  await rm(old, { recursive: true, force: true }).catch(() => undefined);
  await syncDirectory(parent);
  return [...files.keys()].map((name) => join(path, name));
}

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
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

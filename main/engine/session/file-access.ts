// Which files a contract call may read or write. Every path the contract carries
// (document.open/import/save, export.run) passes here first:
//  - reads need a document or image extension; writes need the extension of their format
//    (common/contract/export-target.ts `extensionProblem`: a save or export can never land
//    on ~/.bashrc), and a PNG stack may replace only an
//    empty folder or a previous Lamina PNG stack (never some other folder's contents);
//  - with `roots` set (`lamina serve`: the folder it started in plus --allow-dir), the real
//    path (symlinks resolved) must lie inside a root or be a path granted one by one
//    (`grant`, e.g. what a native file dialog returned);
//  - with `roots` null (CLI, desktop) any folder is fine, the rules above still hold.
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { extensionProblem } from '../../../common/contract/export-target.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import type { DocumentFileFormat } from '../document/document-files.ts';
import { PNG_STACK_MANIFEST } from '../document/png-stack-writer.ts';

export const READ_EXTENSIONS = ['.ora', '.psd', '.psb', '.png', '.jpg', '.jpeg', '.webp'];

export interface FileAccessOptions {
  /** folders whose files may be read and written; null: any folder */
  roots: string[] | null;
}

export class FileAccess {
  private readonly roots: string[] | null;
  private readonly granted = new Set<string>();

  constructor(opts: FileAccessOptions = { roots: null }) {
    this.roots = opts.roots ? opts.roots.map((r) => resolve(r)) : null;
  }

  get restricted(): boolean {
    return this.roots !== null;
  }

  /** Allows one exact path (a file the user picked in a dialog), whatever the roots. */
  grant(path: string): void {
    this.granted.add(resolve(path));
  }

  /** The path to read, checked; throws `forbidden`-style bad_request errors that name the rule. */
  async checkRead(path: string): Promise<string> {
    const abs = absolute(path);
    const ext = extname(abs).toLowerCase();
    if (!READ_EXTENSIONS.includes(ext)) {
      throw new LaminaError('bad_request', `"${path}" is not a file Lamina opens: the name must end in ${READ_EXTENSIONS.join(', ')}`);
    }
    if (this.granted.has(abs)) return abs;
    if (this.roots) await this.assertInsideRoots(path, await realOrSelf(abs));
    return abs;
  }

  /** The path to write `format` to, checked. */
  async checkWrite(path: string, format: DocumentFileFormat): Promise<string> {
    const abs = absolute(path);
    const problem = extensionProblem(format, abs, `a ${format.toUpperCase()} file`);
    if (problem) throw new LaminaError('bad_request', problem);
    if (format === 'png-stack') await assertReplaceableFolder(path, abs);
    const link = await lstat(abs).catch(() => null);
    if (link?.isSymbolicLink()) throw new LaminaError('bad_request', `"${path}" is a symbolic link; Lamina does not write through links`);
    if (this.granted.has(abs)) return abs;
    if (this.roots) await this.assertInsideRoots(path, join(await realOrSelf(dirname(abs)), basename(abs)));
    return abs;
  }

  private async assertInsideRoots(given: string, real: string): Promise<void> {
    for (const root of this.roots ?? []) {
      const r = await realOrSelf(root);
      const rel = relative(r, real);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return;
    }
    throw new LaminaError('bad_request', `"${given}" is outside the folders this server may use (${(this.roots ?? []).join(', ')}); start lamina serve with --allow-dir to add one`);
  }
}

function absolute(path: string): string {
  if (path.includes('\0')) throw new LaminaError('bad_request', 'a path cannot contain a NUL character');
  return resolve(path);
}

async function realOrSelf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // not there (yet): resolve the nearest existing parent, keep the rest as written
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realOrSelf(parent), basename(path));
  }
}

/** A PNG stack replaces its folder as a whole: only an empty folder or an earlier stack. */
async function assertReplaceableFolder(given: string, abs: string): Promise<void> {
  const info = await lstat(abs).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new LaminaError('bad_request', `"${given}" exists and is not a folder; a PNG stack is written as a folder`);
  const names = await readdir(abs);
  if (names.length === 0) return;
  const manifest = await readFile(join(abs, PNG_STACK_MANIFEST), 'utf8').catch(() => null);
  let isStack = false;
  try {
    isStack = manifest !== null && (JSON.parse(manifest) as { format?: unknown }).format === 'lamina-png-stack';
  } catch { /* not JSON */ }
  const onlyStackFiles = names.every((n) => n === PNG_STACK_MANIFEST || /\.png$/i.test(n));
  if (!isStack || !onlyStackFiles) {
    throw new LaminaError('bad_request', `"${given}" is a folder with other files in it; a PNG stack replaces its folder, so choose an empty or new folder (or an earlier Lamina PNG stack)`);
  }
}

/** True when `path` (resolved) is `dir` or inside it; no symlink resolution. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
}

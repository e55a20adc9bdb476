// Whether a path is a sensible target for an export of `format`: the extension matches the
// format, and the file is not the document being exported. Pure (no fs): the engine and the
// CLI both ask it, and the CLI adds the "exists: --force" check. The extension rule is the
// one every write follows (`extensionProblem`; the engine's FileAccess.checkWrite asks it
// for saves and exports alike).
import type { ExportFormat } from './contract.ts';

export const FORMAT_EXTENSION: Record<ExportFormat, string | null> = { psd: '.psd', ora: '.ora', png: '.png', 'png-stack': null };

const IMAGE_EXT = /\.(psd|ora|png|jpe?g|webp)$/i;

function ext(path: string): string {
  const m = /\.[^./\\]+$/.exec(path);
  return m ? m[0].toLowerCase() : '';
}

/** The one-line reason `path` must not receive a `format` export, or null. `inputPath`:
 * the document's own file (compared as given: resolve both first). */
export function exportTargetProblem(format: ExportFormat, path: string, inputPath?: string | null): string | null {
  if (inputPath && samePath(path, inputPath)) return `refusing to export over the input file ${inputPath}: choose another output path`;
  return extensionProblem(format, path);
}

/** The one-line reason a file named `path` cannot hold `format` (a .psd for PSD, a folder,
 * not an image file name, for a PNG stack), or null. `what` starts the message. */
export function extensionProblem(format: ExportFormat, path: string, what = `${format.toUpperCase()} export`): string | null {
  const want = FORMAT_EXTENSION[format];
  if (want && ext(path) !== want) return `${what} must go to a file ending in ${want} (got "${basename(path)}")`;
  if (!want && IMAGE_EXT.test(path)) return `a PNG stack is a folder of PNGs; "${basename(path)}" looks like a file name (give a folder)`;
  return null;
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/[\\/]+$/, '');
  return norm(a) === norm(b);
}

// Opening and saving documents, whatever the format. Reading dispatches on the file's magic
// bytes (not its extension); writing builds every byte in memory first and only then touches
// the disk (atomically), so a failure never leaves a half-written or clobbered file.
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { LaminaDocument } from '../../../common/document/document-schema.ts';
import { LaminaError, oneLineError } from '../../../common/errors/lamina-error.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { decodeImage, encodePng } from '../imaging/image-codec.ts';
import type { ImageStore } from '../imaging/image-store.ts';
import { atomicWriteFile, atomicWriteFolder } from './atomic-write.ts';
import { StagedImages, type DocumentImport } from './document-import.ts';
import { readOra } from './ora-reader.ts';
import { writeOra } from './ora-writer.ts';
import { writePngStack } from './png-stack-writer.ts';
import { readPngMetadata, soleGeneratedLayer, withPngMetadata } from './png-lamina-metadata.ts';
import { readPsdDocument } from './psd-reader.ts';
import { writePsdDocument } from './psd-writer.ts';

export type DocumentFileFormat = 'ora' | 'psd' | 'png' | 'png-stack';
export type SingleFileFormat = Exclude<DocumentFileFormat, 'png-stack'>;
export type DocumentSource = { path: string; name?: string } | { bytes: Uint8Array; name: string };
export type FileKind = 'ora' | 'psd' | 'image';

/** Largest file Lamina reads into memory. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3 - 1;

/** What a file is, from its first bytes; null when Lamina does not read it. */
export function sniffFileKind(bytes: Uint8Array): FileKind | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'PK\x03\x04' || ascii(0, 4) === 'PK\x05\x06') return 'ora';
  if (ascii(0, 4) === '8BPS') return 'psd';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'image';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image';
  return null;
}

/** Reads any supported file; warnings say what was converted or dropped. */
export async function readDocumentFileDetailed(source: DocumentSource, store: ImageStore): Promise<DocumentImport> {
  try {
    return await readAnyFile(source, store);
  } catch (err) {
    // a file can put anything into a message (names, attribute values): one line at the edge
    throw err instanceof LaminaError ? oneLineError(err) : err;
  }
}

async function readAnyFile(source: DocumentSource, store: ImageStore): Promise<DocumentImport> {
  const { bytes, name, what } = await loadSource(source);
  if (bytes.length === 0) throw new LaminaError('bad_file', `${what} is empty (0 bytes)`);
  switch (sniffFileKind(bytes)) {
    case 'ora':
      return readOra(bytes, store, { name, what });
    case 'psd':
      return readPsdDocument(bytes, store, { name, what });
    case 'image':
      return readSingleImage(bytes, store, name, what);
    default:
      throw new LaminaError('unsupported', `${what} is not a file Lamina opens (OpenRaster, PSD/PSB, PNG, JPEG or WebP)`);
  }
}

export async function readDocumentFile(source: DocumentSource, store: ImageStore): Promise<LaminaDocument> {
  return (await readDocumentFileDetailed(source, store)).document;
}

async function loadSource(source: DocumentSource): Promise<{ bytes: Uint8Array; name: string; what: string }> {
  if ('bytes' in source) return { bytes: source.bytes, name: stripExtension(source.name), what: `"${source.name}"` };
  const what = `"${source.path}"`;
  const name = source.name ?? stripExtension(basename(source.path));
  try {
    const info = await stat(source.path);
    if (info.isDirectory()) throw new LaminaError('bad_file', `${what} is a folder, not a file`);
    if (info.size > MAX_FILE_BYTES) throw new LaminaError('too_large', `${what} is ${info.size} bytes; Lamina opens files up to 2 GiB`);
    return { bytes: new Uint8Array(await readFile(source.path)), name, what };
  } catch (err) {
    if (err instanceof LaminaError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LaminaError('not_found', `${what} does not exist`);
    throw new LaminaError('io_error', `could not read ${what}: ${code ?? (err as Error).message}`);
  }
}

function stripExtension(name: string): string {
  return basename(name, extname(name)) || 'Untitled';
}

async function readSingleImage(bytes: Uint8Array, store: ImageStore, name: string, what: string): Promise<DocumentImport> {
  const image = await decodeImage(bytes, what);
  // a PNG Lamina flattened from one generated layer carries the layer's name and provenance
  const meta = sniffFileKind(bytes) === 'image' && bytes[0] === 0x89 ? readPngMetadata(bytes) : { layer: null };
  const staged = new StagedImages();
  const imageId = staged.add(image);
  const layer = {
    id: 'image-1',
    name: meta.layer?.name ?? name,
    visible: true,
    opacity: 1,
    blendMode: 'normal' as const,
    x: 0,
    y: 0,
    locked: false,
    provenance: meta.layer?.provenance ?? null,
    kind: 'raster' as const,
    imageId,
    width: image.width,
    height: image.height,
  };
  staged.commit(store);
  return { document: { formatVersion: 1, name, width: image.width, height: image.height, layers: [layer] }, warnings: meta.warning ? [`${what}: ${meta.warning}`] : [] };
}

/** The bytes of a single-file format: ORA project, layered PSD, or flattened PNG (with the
 * layer's provenance when it shows exactly one generated layer: ./png-lamina-metadata.ts). */
export async function documentFileBytes(doc: LaminaDocument, store: ImageStore, format: SingleFileFormat): Promise<Uint8Array> {
  switch (format) {
    case 'ora':
      return writeOra(doc, store);
    case 'psd':
      return writePsdDocument(doc, store);
    case 'png': {
      const png = await encodePng(compositeDocument(doc, store));
      const sole = soleGeneratedLayer(doc);
      return sole ? withPngMetadata(png, { name: sole.name, provenance: sole.provenance! }) : png;
    }
  }
}

/**
 * Writes `doc` to `path` and returns the paths written. For 'png-stack', `path` is a folder
 * (created or replaced as a whole).
 */
export async function writeDocumentFile(doc: LaminaDocument, store: ImageStore, format: DocumentFileFormat, path: string): Promise<string[]> {
  if (format === 'png-stack') return atomicWriteFolder(path, await writePngStack(doc, store));
  await atomicWriteFile(path, await documentFileBytes(doc, store, format));
  return [path];
}

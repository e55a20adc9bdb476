// Reads a zip archive that may be hostile. Refuses, with one line, before inflating:
// empty or truncated archives, unsafe entry names (absolute, `..`, backslashes, NUL),
// too many entries, and declared sizes past the per-entry or total caps. After inflating
// (fflate writes at most the declared size into a buffer of exactly that size) every entry
// must have its declared size and its CRC-32, so a lying header cannot slip through.
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { LaminaError, quoted } from '../../../common/errors/lamina-error.ts';
import { firstLine } from '../imaging/first-line.ts';
import { crc32 } from './crc32.ts';

export interface ZipLimits {
  /** Largest inflated size of one entry, bytes. */
  maxEntryBytes: number;
  /** Largest inflated size of all entries together, bytes. */
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 1024 ** 3,
  maxTotalBytes: 2 * 1024 ** 3,
  maxEntries: 20_000,
};

export type ZipEntries = Map<string, Uint8Array>;

export function readZip(bytes: Uint8Array, what: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntries {
  if (bytes.length === 0) throw new LaminaError('bad_file', `${what} is empty (0 bytes)`);
  const crcs = readCentralDirectoryCrcs(bytes, what);
  let total = 0;
  let count = 0;
  const declared = new Map<string, number>();
  const filter = (info: UnzipFileInfo): boolean => {
    assertSafeName(info.name, what);
    declared.set(info.name, info.originalSize);
    if (++count > limits.maxEntries) throw new LaminaError('too_large', `${what} has more than ${limits.maxEntries} entries`);
    if (info.originalSize > limits.maxEntryBytes) {
      throw new LaminaError('too_large', `${what}: entry ${quoted(info.name)} would inflate to ${info.originalSize} bytes (limit ${limits.maxEntryBytes})`);
    }
    total += info.originalSize;
    if (total > limits.maxTotalBytes) {
      throw new LaminaError('too_large', `${what} would inflate to more than ${limits.maxTotalBytes} bytes; refusing a possible zip bomb`);
    }
    if (info.compression !== 0 && info.compression !== 8) {
      throw new LaminaError('unsupported', `${what}: entry ${quoted(info.name)} uses zip compression method ${info.compression}; only stored and deflate are supported`);
    }
    return !info.name.endsWith('/');
  };
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter });
  } catch (err) {
    if (err instanceof LaminaError) throw err;
    throw new LaminaError('bad_file', `${what} is not a readable zip archive (${firstLine(err)}); the file may be truncated or damaged`);
  }
  const entries: ZipEntries = new Map();
  for (const [name, data] of Object.entries(files)) {
    const expected = crcs.get(name);
    if (data.length !== declared.get(name) || (expected !== undefined && crc32(data) !== expected)) {
      throw new LaminaError('bad_file', `${what}: entry ${quoted(name)} is damaged (its size or checksum does not match the zip directory)`);
    }
    entries.set(name, data);
  }
  return entries;
}

function assertSafeName(name: string, what: string): void {
  const parts = name.split('/');
  const unsafe =
    name.length === 0 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    /^[A-Za-z]:/.test(name) ||
    parts.includes('..');
  if (unsafe) throw new LaminaError('bad_file', `${what} contains an unsafe entry name ${quoted(name)}; refusing it`);
}

/** name -> CRC-32 from the central directory (zip64 entries included; names are UTF-8). */
function readCentralDirectoryCrcs(bytes: Uint8Array, what: string): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) throw new LaminaError('bad_file', `${what} is not a zip archive or is truncated (no end-of-archive record)`);
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const crcs = new Map<string, number>();
  const decoder = new TextDecoder();
  if (offset === 0xffffffff) return crcs; // zip64 directory: fflate validates the structure
  for (let i = 0; i < count && offset + 46 <= bytes.length; i++) {
    if (view.getUint32(offset, true) !== 0x02014b50) {
      throw new LaminaError('bad_file', `${what} has a damaged zip directory`);
    }
    const crc = view.getUint32(offset + 16, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const name = decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    crcs.set(name, crc);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return crcs;
}

function findEndOfCentralDirectory(view: DataView): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let i = view.byteLength - 22; i >= min; i--) {
    if (view.getUint32(i, true) === 0x06054b50) return i;
  }
  return -1;
}

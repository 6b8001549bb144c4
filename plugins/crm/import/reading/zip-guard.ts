/**
 * Checks an XLSX (a zip) before the workbook reader inflates it: a zip bomb is refused from the
 * central directory alone (entries, declared sizes, ratio), then every entry is inflated once
 * into nothing while the inflated bytes are counted, in case the declared sizes lie.
 *
 * The workbook reader (exceljs over unzipper) walks the local headers from the start of the
 * file, not the central directory, so the entries must also lie back to back exactly as the
 * central directory lists them: nothing hidden between them can then be inflated unchecked.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { HttpError } from '../../../../host/api.js';
import { importFileError } from './errors.js';
import {
  MAX_ZIP_ENTRIES, MAX_ZIP_RATIO, MAX_ZIP_UNCOMPRESSED_BYTES, MIN_RATIO_CHECK_BYTES,
} from './limits.js';
import { EntrySizeError, openEntryStream } from './zip-entry-stream.js';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
/** Data descriptor lengths: with or without its signature, 32- or 64-bit sizes. */
const DESCRIPTOR_LENGTHS = [16, 12, 24, 20];

export interface ZipListing {
  names: Set<string>;
}

async function openZip(path: string): Promise<ZipFile> {
  try {
    return await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch {
    throw importFileError('import_unreadable');
  }
}

/** Reads the central directory and refuses a bomb before anything is inflated. */
async function listEntries(zip: ZipFile): Promise<Entry[]> {
  if (zip.entryCount > MAX_ZIP_ENTRIES) throw importFileError('import_zip_bomb', { reason: 'entries', max: MAX_ZIP_ENTRIES });
  const entries: Entry[] = [];
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      entries.push(entry);
      if (entries.length > MAX_ZIP_ENTRIES) throw importFileError('import_zip_bomb', { reason: 'entries', max: MAX_ZIP_ENTRIES });
      if (entry.isEncrypted()) throw importFileError('import_unsupported_type', undefined, 'unsupported_encrypted');
      total += entry.uncompressedSize;
      if (total > MAX_ZIP_UNCOMPRESSED_BYTES) throw importFileError('import_zip_bomb', { reason: 'size', max_mb: MAX_ZIP_UNCOMPRESSED_BYTES / 1024 / 1024 });
      if (entry.uncompressedSize > MIN_RATIO_CHECK_BYTES && entry.uncompressedSize > MAX_ZIP_RATIO * Math.max(entry.compressedSize, 1)) {
        throw importFileError('import_zip_bomb', { reason: 'ratio', max: MAX_ZIP_RATIO });
      }
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw importFileError('import_unreadable');
  }
  return entries;
}

/** The entries must tile the file from offset 0 up to the central directory (see the module comment). */
async function assertBackToBack(zip: ZipFile, entries: Entry[], path: string): Promise<void> {
  const sorted = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  const file = await openFile(path, 'r');
  try {
    let expected = 0;
    for (const entry of sorted) {
      if (entry.relativeOffsetOfLocalHeader !== expected) throw importFileError('import_unreadable');
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const dataEnd = fileDataStart + entry.compressedSize;
      if ((entry.generalPurposeBitFlag & 0x8) === 0) { expected = dataEnd; continue; }
      expected = -1;
      for (const length of DESCRIPTOR_LENGTHS) {
        const signature = await readUInt32(file, dataEnd + length);
        if (signature === LOCAL_HEADER || signature === CENTRAL_HEADER) { expected = dataEnd + length; break; }
      }
      if (expected < 0) throw importFileError('import_unreadable');
    }
    if ((await readUInt32(file, expected)) !== CENTRAL_HEADER) throw importFileError('import_unreadable');
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw importFileError('import_unreadable');
  } finally {
    await file.close();
  }
}

async function readUInt32(file: FileHandle, position: number): Promise<number | null> {
  const buffer = Buffer.alloc(4);
  const { bytesRead } = await file.read(buffer, 0, 4, position);
  return bytesRead === 4 ? buffer.readUInt32LE(0) : null;
}

/** Inflates every entry into nothing, counting; stops at the limit. */
async function inflateCounting(zip: ZipFile, entries: Entry[]): Promise<void> {
  let total = 0;
  for (const entry of entries) {
    let stream;
    try {
      stream = await openEntryStream(zip, entry);
    } catch {
      throw importFileError('import_unreadable');
    }
    try {
      for await (const chunk of stream) {
        total += (chunk as Buffer).length;
        if (total > MAX_ZIP_UNCOMPRESSED_BYTES) throw importFileError('import_zip_bomb', { reason: 'size', max_mb: MAX_ZIP_UNCOMPRESSED_BYTES / 1024 / 1024 });
      }
    } catch (err) {
      stream.destroy();
      if (err instanceof HttpError) throw err;
      // The entry inflates to more than its central directory says.
      if (err instanceof EntrySizeError && err.actual > err.declared) throw importFileError('import_zip_bomb', { reason: 'size', max_mb: MAX_ZIP_UNCOMPRESSED_BYTES / 1024 / 1024 });
      throw importFileError('import_unreadable');
    }
  }
}

/** The central directory's file names, after the bomb checks that need no inflating. */
export async function listZip(path: string): Promise<ZipListing> {
  const zip = await openZip(path);
  try {
    const entries = await listEntries(zip);
    return { names: new Set(entries.map((e) => e.fileName)) };
  } finally {
    zip.close();
  }
}

/** All checks: central directory, layout, and counted inflating. Throws HttpError. */
export async function assertSafeZip(path: string): Promise<void> {
  const zip = await openZip(path);
  try {
    const entries = await listEntries(zip);
    await assertBackToBack(zip, entries, path);
    await inflateCounting(zip, entries);
  } finally {
    zip.close();
  }
}

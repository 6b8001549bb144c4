/**
 * The parts (entries) of an XLSX, opened by name through yauzl, which reads the zip's central
 * directory and inflates one entry at a time from the file, never the whole zip in memory.
 * Part names are case-insensitive in a package (OPC), so they are looked up folded.
 */
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { importFileError } from './errors.js';
import { openEntryStream } from './zip-entry-stream.js';

export class XlsxZip {
  private constructor(
    private readonly zip: ZipFile,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** Opens the file and lists its entries (the zip guard has already bounded their number and sizes). */
  static async open(path: string): Promise<XlsxZip> {
    // Sizes are validated while inflating, so an entry cannot yield more than it declares.
    const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
    try {
      const entries = new Map<string, Entry>();
      for await (const entry of zip.eachEntry()) entries.set(entry.fileName.toLowerCase(), entry);
      return new XlsxZip(zip, entries);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  has(part: string): boolean {
    return this.entries.has(part.toLowerCase());
  }

  /** The inflated bytes of a part; a missing part makes the workbook unreadable. */
  async open(part: string): Promise<Readable> {
    const entry = this.entries.get(part.toLowerCase());
    if (!entry) throw importFileError('import_unreadable');
    return openEntryStream(this.zip, entry);
  }

  /** The file descriptor closes once the last open part stream is closed or destroyed too. */
  close(): void {
    this.zip.close();
  }
}

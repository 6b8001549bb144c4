/**
 * A ZIP package written as it goes, for the XLSX export: a few small parts given whole and one large
 * part (the sheet) streamed. Both the deflate and the CRC-32 run in zlib, in libuv's thread pool:
 * every part is gzipped and its gzip frame cut off — the 10-byte header before the raw deflate data
 * and the 8-byte trailer after it, whose CRC-32 and size the zip entry needs. yazl computed the
 * CRC-32 in JavaScript on the main thread (0.15 s per 100,000 rows, plus three stream stages per
 * chunk), and node 20 has no zlib.crc32. Entries use a data descriptor (their sizes follow the
 * data); no ZIP64, so a package stops with an error past 4 GB.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';

const GZIP_HEADER = 10;
const GZIP_TRAILER = 8;
const LIMIT = 0xffffffff;
/**
 * Output chunks much bigger than zlib's 16 KB: each chunk is one round trip to libuv's pool and one
 * write into the response, and the main thread paid for every one (256 KB cost less CPU than 64 KB).
 */
const CHUNK = 256 * 1024;

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

/** A streamed entry: `write` its data, respecting `stream`'s backpressure, then end `stream`. */
export interface EntryStream {
  /** Whether the stream can take more now (as Writable.write). */
  write(chunk: Buffer): boolean;
  stream: Writable;
  /** Settles once the entry is in the output. */
  done: Promise<void>;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: Entry[] = [];
  private readonly time: number;
  private readonly date: number;

  constructor(
    private readonly out: Writable,
    private readonly level: number,
    at = new Date(),
  ) {
    this.time = (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >> 1);
    this.date = (Math.max(at.getFullYear() - 1980, 0) << 9) | ((at.getMonth() + 1) << 5) | at.getDate();
  }

  /** Adds a small part whole. */
  file(name: string, data: string): void {
    const raw = Buffer.from(data);
    const gz = zlib.gzipSync(raw, { level: this.level });
    const entry = this.start(name);
    const deflated = gz.subarray(GZIP_HEADER, gz.length - GZIP_TRAILER);
    this.write(deflated);
    this.finish(entry, gz.readUInt32LE(gz.length - GZIP_TRAILER), deflated.length, raw.length);
  }

  /** Starts a streamed part; nothing else may be added until it is done. */
  stream(name: string): EntryStream {
    const entry = this.start(name);
    const gz = zlib.createGzip({ level: this.level, chunkSize: CHUNK });
    let size = 0;
    let compressed = 0;
    let header = GZIP_HEADER;
    let tail = Buffer.alloc(0);
    const drained = () => gz.resume();
    gz.on('data', (chunk: Buffer) => {
      if (header) {
        const cut = Math.min(header, chunk.length);
        chunk = chunk.subarray(cut);
        header -= cut;
      }
      // The last 8 bytes seen may be the trailer: held back until more comes.
      const all = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      const body = all.length - GZIP_TRAILER;
      if (body <= 0) {
        tail = Buffer.from(all);
        return;
      }
      tail = Buffer.from(all.subarray(body));
      compressed += body;
      if (!this.write(all.subarray(0, body))) {
        gz.pause();
        this.out.once('drain', drained);
      }
    });
    const done = (async () => {
      await once(gz, 'end');
      this.finish(entry, tail.readUInt32LE(0), compressed, size);
    })();
    // The caller sees a failure through `done` and through the output; never unhandled.
    done.catch(() => undefined);
    return {
      write: (chunk) => {
        // Counted here: the gzip trailer holds the size only modulo 4 GB.
        size += chunk.length;
        return gz.write(chunk);
      },
      stream: gz,
      done,
    };
  }

  /** Writes the central directory and ends the output; resolves when the output has finished. */
  async end(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by: version 2.0
      h.writeUInt16LE(20, 6); // needed: 2.0 (deflate)
      h.writeUInt16LE(0x0008, 8); // sizes in the data descriptor
      h.writeUInt16LE(8, 10); // deflate
      h.writeUInt16LE(this.time, 12);
      h.writeUInt16LE(this.date, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      this.write(h);
      this.write(e.name);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(this.entries.length, 8);
    eocd.writeUInt16LE(this.entries.length, 10);
    eocd.writeUInt32LE(this.offset - start, 12);
    eocd.writeUInt32LE(this.checked(start), 16);
    this.write(eocd);
    // Not `end(callback)`: express-session wraps the response's end() and takes no callback.
    const finished = once(this.out, 'finish');
    this.out.end();
    await finished;
  }

  private start(name: string): Entry {
    const entry: Entry = { name: Buffer.from(name), offset: this.checked(this.offset), crc: 0, compressed: 0, size: 0 };
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x0008, 6);
    h.writeUInt16LE(8, 8);
    h.writeUInt16LE(this.time, 10);
    h.writeUInt16LE(this.date, 12);
    h.writeUInt16LE(entry.name.length, 26);
    this.write(h);
    this.write(entry.name);
    return entry;
  }

  private finish(entry: Entry, crc: number, compressed: number, size: number): void {
    Object.assign(entry, { crc, compressed: this.checked(compressed), size: this.checked(size) });
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(crc, 4);
    d.writeUInt32LE(compressed, 8);
    d.writeUInt32LE(size, 12);
    this.write(d);
    this.entries.push(entry);
  }

  private checked(n: number): number {
    if (n > LIMIT) throw new Error('The spreadsheet is larger than 4 GB.');
    return n;
  }

  private write(chunk: Buffer): boolean {
    this.offset += chunk.length;
    return this.out.write(chunk);
  }
}

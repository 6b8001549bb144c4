/**
 * Streams a CSV's records: file -> decoder -> csv-parse, never the whole file in memory. UTF-8 is
 * decoded strictly, so a line in another encoding stops the import with its line number instead
 * of turning letters into replacement characters.
 */
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError, type Options } from 'csv-parse';
import iconv from 'iconv-lite';
import { HttpError } from '../../../../host/api.js';
import type { ImportEncoding, ImportRow, ReadOptions } from '../import-contract.js';
import { firstInvalidUtf8, strayBomLength } from './detect-encoding.js';
import { readHead } from './detect-format.js';
import { importFileError } from './errors.js';
import { MAX_IMPORT_RECORD_CHARS } from './limits.js';
import { checkRow } from './row-limits.js';

const CHUNK_BYTES = 256 * 1024;

class InvalidUtf8 extends Error {}

/** UTF-8 that fails on the first invalid byte (TextDecoder, fatal); drops a BOM. */
class StrictUtf8Decoder extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor() {
    super({ decodeStrings: true, readableObjectMode: false, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      done(null, this.decoder.decode(chunk, { stream: true }));
    } catch {
      done(new InvalidUtf8());
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(new InvalidUtf8());
    }
  }
}

function decoderFor(encoding: ImportEncoding): Transform {
  if (encoding === 'utf-8') return new StrictUtf8Decoder();
  return iconv.decodeStream(encoding) as unknown as Transform;
}

/** The line of the first byte that is not UTF-8 (read again from the start: this is the rare path). */
async function lineOfInvalidUtf8(path: string): Promise<number> {
  let line = 1;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    const bytes = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const bad = firstInvalidUtf8(bytes, true);
    const tail = bad === -1 ? incompleteTail(bytes) : 0;
    line += countNewlines(bytes.subarray(0, bad === -1 ? bytes.length - tail : bad));
    if (bad !== -1) return line;
    carry = Buffer.from(bytes.subarray(bytes.length - tail));
  }
  return line;
}

/** Length of a multi-byte sequence cut by the end of `bytes` (0 to 3). */
function incompleteTail(bytes: Buffer): number {
  for (let k = 1; k <= 3 && k <= bytes.length; k++) {
    const b = bytes[bytes.length - k];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

const QUOTE_ERRORS = new Set([
  'CSV_QUOTE_NOT_CLOSED', 'CSV_INVALID_CLOSING_QUOTE', 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE', 'CSV_INVALID_OPENING_QUOTE',
]);

/** Line breaks inside a quoted cell: each CRLF, LF or CR is one; csv-parse counts CRLF as two. */
function breaksIn(cell: string): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c === 13) { breaks++; if (cell.charCodeAt(i + 1) === 10) { crlf++; i++; } }
    else if (c === 10) breaks++;
  }
  return { breaks, crlf };
}

/**
 * Every non-empty record of the CSV with the 1-based line it starts on; the header row too
 * (the caller decides what it is). Cells are trimmed.
 */
export async function* readCsvRecords(path: string, options: Pick<Required<ReadOptions>, 'encoding' | 'delimiter'>): AsyncGenerator<ImportRow> {
  const { head } = await readHead(path, 4);
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES, start: strayBomLength(head, options.encoding) });
  const decoder = decoderFor(options.encoding);
  // Where the last record ended, to name the line of a broken one; csv-parse's own line count
  // runs ahead by one for each CRLF inside quotes.
  const at = { lastEnd: 0, emptyLines: 0, overcount: 0 };
  const csvOptions: Options<ImportRow, string[]> = {
    delimiter: options.delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    // A stray quote inside an unquoted cell (5" screen) is kept as text; quoted cells must close.
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: MAX_IMPORT_RECORD_CHARS,
    // Runs as each record is parsed, so the position is known even when a later error ends the stream.
    on_record: (record, info) => {
      let breaks = 0;
      let empty = true;
      for (let i = 0; i < record.length; i++) {
        const cell = record[i];
        if (cell.includes('\n') || cell.includes('\r')) {
          const inner = breaksIn(cell);
          breaks += inner.breaks;
          at.overcount += inner.crlf;
        }
        const trimmed = cell.trim();
        if (trimmed !== cell) record[i] = trimmed;
        if (trimmed) empty = false;
      }
      at.lastEnd = info.lines - at.overcount;
      at.emptyLines = info.empty_lines;
      if (empty) return null;
      const line = at.lastEnd - breaks;
      checkRow(record, line);
      return { line, cells: record };
    },
  };
  const parser = parse(csvOptions as unknown as Options);
  let failure: unknown = null;
  const fail = (err: unknown) => { failure ??= err; parser.destroy(); };
  file.on('error', fail);
  decoder.on('error', fail);
  file.pipe(decoder).pipe(parser);
  try {
    for await (const row of parser as AsyncIterable<ImportRow>) yield row;
  } catch (err) {
    throw await translate(failure ?? err, path, at);
  } finally {
    file.destroy();
    decoder.destroy();
    parser.destroy();
  }
  if (failure) throw await translate(failure, path, at);
}

async function translate(err: unknown, path: string, at: { lastEnd: number; emptyLines: number }): Promise<unknown> {
  if (err instanceof HttpError) return err;
  if (err instanceof InvalidUtf8) return importFileError('import_mixed_encoding', { line: await lineOfInvalidUtf8(path) });
  const csvError = err as (CsvError & { empty_lines?: number }) | null;
  // The broken record starts after the last good one and the empty lines since.
  const line = at.lastEnd + 1 + Math.max(0, (csvError?.empty_lines ?? at.emptyLines) - at.emptyLines);
  if (csvError?.code && QUOTE_ERRORS.has(csvError.code)) return importFileError('import_bad_quotes', { line });
  if (csvError?.code === 'CSV_MAX_RECORD_SIZE') return importFileError('import_row_too_long', { line, max: MAX_IMPORT_RECORD_CHARS });
  return err;
}

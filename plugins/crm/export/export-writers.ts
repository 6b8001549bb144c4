/**
 * Writes exported rows into a CSV or an XLSX file as they come, page by page, into any writable
 * stream (an HTTP response, a file). Every text cell is neutralized against formula injection
 * first: a spreadsheet would run a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return as a formula, so such a cell gets a leading single quote (OWASP's advice). Numbers and
 * booleans are values, not text, and stay as they are.
 */
import type { Writable } from 'node:stream';
import { xlsxStream } from './export-xlsx.js';

export type CellValue = string | number | boolean | null;

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Delimiters offered for CSV: comma, semicolon (Excel in most of Europe), tab. */
export const CSV_DELIMITERS = { comma: ',', semicolon: ';', tab: '\t' } as const;
export type CsvDelimiter = keyof typeof CSV_DELIMITERS;

export interface CsvOptions {
  delimiter: CsvDelimiter;
  /** A UTF-8 byte order mark first, so Excel reads the file as UTF-8. */
  bom: boolean;
}

export interface SheetWriter {
  /** Writes one page of rows; resolves when the output can take more (backpressure). */
  rows(rows: CellValue[][]): Promise<void>;
  /** Finishes the file; resolves once everything is handed to the output. */
  end(): Promise<void>;
}

/** First characters that make a spreadsheet read a cell as a formula: = + - @ tab CR. */
const RISKY_START = new Set([61, 43, 45, 64, 9, 13]);

/** The text as a spreadsheet will show it but never run it (one look at the first character: a regular expression per cell cost more). */
export function neutralize(text: string): string {
  return RISKY_START.has(text.charCodeAt(0)) ? `'${text}` : text;
}

function cellText(value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return neutralize(value);
  return String(value);
}

/** Waits while the output is full; a closed output (the browser went away) ends the export. */
async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done).off('close', done);
        resolve();
      };
      out.on('drain', done).on('close', done);
    });
  }
  if (out.destroyed) throw new Error('The output was closed before the export ended.');
}

async function write(out: Writable, chunk: string): Promise<void> {
  out.write(chunk);
  await drained(out);
}

export function csvWriter(out: Writable, header: string[], options: CsvOptions): SheetWriter {
  const delimiter = CSV_DELIMITERS[options.delimiter];
  const needsQuotes = new RegExp(`["\\r\\n${delimiter === '\t' ? '\\t' : delimiter}]`);
  const field = (value: CellValue) => {
    const text = cellText(value);
    return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const line = (cells: CellValue[]) => `${cells.map(field).join(delimiter)}\r\n`;
  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    await write(out, `${options.bom ? '\uFEFF' : ''}${line(header)}`);
  };
  return {
    async rows(rows) {
      await start();
      if (rows.length) await write(out, rows.map(line).join(''));
    },
    async end() {
      await start();
      // Not `end(callback)`: express-session wraps the response's end() and takes no callback.
      await new Promise<void>((resolve, reject) => {
        out.once('finish', resolve).once('error', reject);
        out.end();
      });
    },
  };
}

export function xlsxWriter(out: Writable, header: string[], sheetName: string): SheetWriter {
  const sheet = xlsxStream(out, header, sheetName, neutralize);
  return { rows: (rows) => sheet.rows(rows), end: () => sheet.end() };
}

export function sheetWriter(format: ExportFormat, out: Writable, header: string[], options: CsvOptions & { sheetName: string }): SheetWriter {
  return format === 'csv' ? csvWriter(out, header, options) : xlsxWriter(out, header, options.sheetName);
}

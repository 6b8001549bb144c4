/** The data rows of a file in either format, after its header row when it has one. */
import type { ImportFormat, ImportRow, ReadOptions } from '../import-contract.js';
import { readCsvRecords } from './csv-rows.js';
import { formatOf, readHead } from './detect-format.js';
import { importFileError } from './errors.js';
import { readXlsxRecords } from './xlsx-rows.js';

export async function detectImportFormat(path: string): Promise<ImportFormat> {
  const { head, size } = await readHead(path, 8);
  if (size === 0) throw importFileError('import_empty');
  return formatOf(path, head);
}

/** Every non-empty record, the header row included. */
export function readRecords(path: string, options: Required<ReadOptions>, format: ImportFormat): AsyncGenerator<ImportRow> {
  return format === 'xlsx' ? readXlsxRecords(path) : readCsvRecords(path, options);
}

export async function* readImportRows(path: string, options: Required<ReadOptions>, format?: ImportFormat): AsyncIterable<ImportRow> {
  const fmt = format ?? (await detectImportFormat(path));
  let width: number | null = null;
  for await (const record of readRecords(path, options, fmt)) {
    if (options.header && width === null) { width = record.cells.length; continue; }
    // A spreadsheet does not store empty trailing cells: its rows are as wide as the header.
    if (fmt === 'xlsx' && width !== null) while (record.cells.length < width) record.cells.push('');
    yield record;
  }
}

/**
 * Reads the whole file (streamed) and throws what reading would (broken quotes, encoding, limits),
 * so an import can check a file before it writes anything. A file without data rows is refused.
 */
export async function scanImportFile(path: string, options: Required<ReadOptions>, format?: ImportFormat): Promise<{ rows: number }> {
  let rows = 0;
  let any = false;
  for await (const record of readRecords(path, options, format ?? (await detectImportFormat(path)))) {
    if (!any && options.header) { any = true; continue; }
    any = true;
    void record;
    rows++;
  }
  if (!any) throw importFileError('import_empty');
  if (!rows) throw importFileError('import_no_rows');
  return { rows };
}

/** The number of data rows (a whole read). */
export async function countImportRows(path: string, options: Required<ReadOptions>, format?: ImportFormat): Promise<number> {
  return (await scanImportFile(path, options, format)).rows;
}

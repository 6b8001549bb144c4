/**
 * The preview of an import file: its format, encoding, delimiter and header detected from its
 * first bytes and rows (each overridable), its column names and first data rows.
 */
import iconv from 'iconv-lite';
import type {
  FileSniff, ImportDelimiter, ImportEncoding, ImportFormat, ImportRow, ReadOptions, ReadWarning,
} from '../import-contract.js';
import { detectDelimiter } from './detect-delimiter.js';
import { detectEncoding, firstInvalidUtf8, lineOfOffset, strayBomLength } from './detect-encoding.js';
import { assertText, formatOf, readHead } from './detect-format.js';
import { detectHeader } from './detect-header.js';
import { importFileError } from './errors.js';
import { numberedHeaders, uniqueHeaders } from './header-names.js';
import { SNIFF_BYTES } from './limits.js';
import { readRecords } from './rows.js';

const SINGLE_BYTE = new Set<ImportEncoding>(['windows-1250', 'iso-8859-2', 'windows-1251', 'koi8-r', 'koi8-u']);

interface TextSettings {
  encoding: ImportEncoding;
  delimiter: ImportDelimiter;
  warnings: ReadWarning[];
}

/** Encoding and delimiter of a CSV from its first bytes. */
function detectText(head: Buffer, complete: boolean, options: ReadOptions): TextSettings {
  const warnings: ReadWarning[] = [];
  let encoding = options.encoding;
  if (!encoding) {
    const verdict = detectEncoding(head, complete);
    if (verdict === 'utf-32') throw importFileError('import_unsupported_encoding');
    if ('mixedLine' in verdict) throw importFileError('import_mixed_encoding', { line: verdict.mixedLine });
    encoding = verdict.encoding;
    if (SINGLE_BYTE.has(encoding)) warnings.push({ messageKey: 'crm:import-file.encoding_guessed', params: { encoding } });
  }
  const body = head.subarray(strayBomLength(head, encoding));
  if (encoding === 'utf-8') {
    // UTF-8 is read strictly (see csv-rows.ts): say so now rather than after the upload.
    const bad = firstInvalidUtf8(body, !complete);
    if (bad !== -1) throw importFileError('import_mixed_encoding', { line: lineOfOffset(body, bad) });
  }
  const text = iconv.decode(body, encoding, { stripBOM: true });
  if (!text.trim()) throw importFileError('import_empty');
  assertText(text);
  return { encoding, delimiter: options.delimiter ?? detectDelimiter(text), warnings };
}

async function firstRecords(path: string, options: Required<ReadOptions>, format: ImportFormat, count: number): Promise<ImportRow[]> {
  const records: ImportRow[] = [];
  for await (const record of readRecords(path, options, format)) {
    records.push(record);
    if (records.length >= count) break;
  }
  return records;
}

const fit = (cells: string[], width: number) =>
  cells.length === width ? cells : cells.length > width ? cells.slice(0, width) : [...cells, ...Array<string>(width - cells.length).fill('')];

export async function sniffImportFile(path: string, options: ReadOptions = {}, previewRows = 20): Promise<FileSniff> {
  const { head, size } = await readHead(path, SNIFF_BYTES);
  if (size === 0) throw importFileError('import_empty');
  const format = await formatOf(path, head);
  const text = format === 'csv' ? detectText(head, size <= SNIFF_BYTES, options) : null;
  const effective: Required<ReadOptions> = {
    encoding: text?.encoding ?? 'utf-8',
    delimiter: text?.delimiter ?? ',',
    header: options.header ?? true,
  };
  const records = await firstRecords(path, effective, format, Math.max(previewRows, 20) + 1);
  if (!records.length) throw importFileError('import_empty');
  const cells = records.map((r) => r.cells);
  if (options.header === undefined) effective.header = detectHeader(cells);
  const warnings = [...(text?.warnings ?? [])];
  let headers: string[];
  let data: string[][];
  if (effective.header) {
    const unique = uniqueHeaders(cells[0]);
    headers = unique.headers;
    warnings.push(...unique.warnings);
    data = cells.slice(1);
  } else {
    headers = numberedHeaders(Math.max(...cells.map((c) => c.length)));
    data = cells;
  }
  if (!data.length) throw importFileError('import_no_rows');
  return {
    format,
    encoding: format === 'csv' ? effective.encoding : null,
    delimiter: format === 'csv' ? effective.delimiter : null,
    header: effective.header,
    headers,
    rows: data.slice(0, previewRows).map((row) => fit(row, headers.length)),
    warnings,
    options: effective,
  };
}

/**
 * Streams the rows of an XLSX's first worksheet with exceljs's streaming WorkbookReader, after
 * the zip guard has checked the file. Every cell becomes the text a person sees in it: numbers
 * without float noise, dates as YYYY-MM-DD, a formula's cached result (never evaluated).
 */
import ExcelJS from 'exceljs';
import { HttpError } from '../../../../host/api.js';
import type { ImportRow } from '../import-contract.js';
import { importFileError } from './errors.js';
import { checkRow } from './row-limits.js';
import { assertSafeZip } from './zip-guard.js';

/** Excel keeps 15 significant digits; the XML may carry 17 ("0.30000000000000004"). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isSafeInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** exceljs gives dates as UTC instants of the sheet's wall-clock time. */
export function formatDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const ms = d.getTime() % 86_400_000;
  if (ms === 0) return day;
  const s = Math.round(ms / 1000);
  return `${day} ${pad(Math.floor(s / 3600) % 24)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** Excel's serial day (the 1900 system, with its phantom 29 February 1900) as a UTC date. */
function serialToDate(serial: number, date1904: boolean): Date {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return new Date(epoch + Math.round(serial * 86_400_000));
}

interface CellLike {
  value: unknown;
  numFmt?: string;
}

/** The text of a cell value in any of exceljs's shapes. */
export function cellText(value: unknown, isDateFormat = false, date1904 = false): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return isDateFormat ? formatDate(serialToDate(value, date1904)) : formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return formatDate(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('').trim();
    if ('formula' in v || 'sharedFormula' in v) return 'result' in v ? cellText(v.result, isDateFormat, date1904) : '';
    if ('error' in v) return String(v.error);
    if ('text' in v) return cellText(v.text, isDateFormat, date1904);
  }
  return '';
}

const DATE_FORMAT = /[dmyhs]/i;
/** What exceljs's utils.isDateFmt decides, for formula results (exceljs converts only plain values). */
function isDateFmt(fmt: string | undefined): boolean {
  if (!fmt || fmt === 'General') return false;
  // Drop quoted text and [colour]/[locale] parts before looking for date letters.
  return DATE_FORMAT.test(fmt.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));
}

/** Every non-empty row of the first worksheet with its row number; empty trailing cells are not stored, so rows end at their last value. */
export async function* readXlsxRecords(path: string): AsyncGenerator<ImportRow> {
  await assertSafeZip(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    // Styles tell dates from numbers.
    styles: 'cache',
    entries: 'ignore',
  });
  const date1904 = () => Boolean((reader as unknown as { properties?: { date1904?: boolean } }).properties?.date1904);
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const cells: string[] = [];
        row.eachCell({ includeEmpty: false }, (cell, col) => {
          const c = cell as unknown as CellLike;
          const v = c.value as Record<string, unknown> | null;
          const formulaDate = v !== null && typeof v === 'object' && ('formula' in v || 'sharedFormula' in v) && typeof v.result === 'number' && isDateFmt(c.numFmt);
          const text = cellText(c.value, formulaDate, date1904());
          while (cells.length < col - 1) cells.push('');
          cells[col - 1] = text;
        });
        while (cells.length && !cells[cells.length - 1]) cells.pop();
        if (!cells.length) continue;
        checkRow(cells, row.number);
        yield { line: row.number, cells };
      }
      // The first worksheet only.
      break;
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw importFileError('import_unreadable');
  } finally {
    // Leaving early (a preview) must not keep the file open.
    (reader as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
}

/**
 * The failed rows of an import as a CSV to fix and import again: UTF-8 with a byte-order mark (so
 * Excel opens it right), the translated reason first, then the file's own columns and cells as
 * they were. Read page by page, never the whole list in memory.
 */
import type { ImportRow, ImportStore } from './import-store.js';
import type { Reason } from './row-mapper.js';

const PAGE = 1000;

/** A CSV field, quoted when it holds a comma, quote or line break. A leading =, +, - or @ is left as is: it is the user's own data going back to them. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function reasonText(reason: Reason | null, t: (key: string, params?: Record<string, unknown>) => string): string {
  if (!reason) return '';
  const text = t(reason.key, reason.params);
  return reason.column ? t('crm:import.reason.in_column', { column: reason.column, reason: text }) : text;
}

export async function* failedRowsCsv(store: ImportStore, record: ImportRow, t: (key: string, params?: Record<string, unknown>) => string): AsyncGenerator<string> {
  yield `\ufeff${[t('crm:import.reason_column'), ...record.headers].map(csvField).join(',')}\r\n`;
  for (let after = 0; ; ) {
    const page = await store.outcomes(record.id, 'failed', after, PAGE);
    if (!page.length) return;
    after = page.at(-1)!.id;
    yield page.map((r) => `${[reasonText(r.reason, t), ...(r.cells ?? [])].map(csvField).join(',')}\r\n`).join('');
  }
}

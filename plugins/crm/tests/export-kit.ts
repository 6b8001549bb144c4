/**
 * What the export tests share: a probe plugin contributing an import/export column, readers of the
 * exported files (CSV through csv-parse, XLSX through exceljs, so the files are checked by
 * independent readers) and a supertest parser that keeps a download's bytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { ROOT } from '../../../tests/support/test-host.js';

/**
 * A plugin whose export column "Score" gives each contact `score-<id>`, except contacts whose job
 * title is "Formula": theirs is `=HYPERLINK("http://evil")`, to check neutralization of plugin
 * values too. It counts the pages it was asked for in `globalThis.__scorePages`, and while
 * `globalThis.__scoreHold` is set it waits on it before any page after the first (so a test can
 * watch a job half done). Its access rule:
 * users whose email starts with "scoped" cannot see contacts whose job title is "Hidden".
 */
export function writeScorePlugin(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-export-probe-'));
  const dir = path.join(root, 'export-probe');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.writeFileSync(
    path.join(dir, 'plugin.manifest.json'),
    JSON.stringify({ id: 'export-probe', name: 'Export probe', version: '1.0.0', host: '^1.0.0', main: 'index.ts', dependencies: { crm: '^1.0.0' } }),
  );
  fs.writeFileSync(
    path.join(dir, 'index.ts'),
    `import { contactClasses, ioColumns } from '${path.join(ROOT, 'plugins', 'crm', 'api.ts')}';
export function register(ctx) {
  ctx.extend(contactClasses, { id: 'hidden', condition(user, alias) {
    return user.email.startsWith('scoped') ? { sql: "COALESCE(" + alias + ".job_title, '') <> ?", params: ['Hidden'] } : null;
  } });
  ctx.extend(ioColumns, { id: 'score', title: 'Score', async values(contacts) {
    globalThis.__scorePages = (globalThis.__scorePages ?? 0) + 1;
    if (globalThis.__scoreHold && contacts.length && globalThis.__scorePages > 1) await globalThis.__scoreHold;
    return new Map(contacts.map((c) => [c.id, c.job_title === 'Formula' ? '=HYPERLINK("http://evil")' : 'score-' + c.id]));
  } });
}
`,
  );
  return root;
}

/** Holds the probe's pages after the first until the returned function is called. */
export function holdScorePages(): () => void {
  let release!: () => void;
  const g = globalThis as { __scoreHold?: Promise<void>; __scorePages?: number };
  g.__scorePages = 0;
  g.__scoreHold = new Promise<void>((resolve) => (release = resolve));
  return () => {
    delete g.__scoreHold;
    release();
  };
}

/** Keeps the body of a download as a Buffer (supertest's `.parse`). */
export function binary(res: Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

export function readCsv(data: Buffer | string, delimiter = ','): string[][] {
  return parse(typeof data === 'string' ? data : data.toString('utf8'), { delimiter, bom: true, relax_column_count: true }) as string[][];
}

/** The first sheet's rows as plain values (numbers stay numbers). */
export async function readXlsx(data: Buffer | string): Promise<Array<Array<string | number | boolean | null>>> {
  const workbook = new ExcelJS.Workbook();
  if (typeof data === 'string') await workbook.xlsx.readFile(data);
  else await workbook.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: Array<Array<string | number | boolean | null>> = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = (row.values as unknown[]).slice(1);
    rows.push(Array.from({ length: sheet.columnCount }, (_, i) => (values[i] === undefined ? null : (values[i] as string | number | boolean | null))));
  });
  return rows;
}

/** Rows as objects keyed by the header row. */
export function byHeader<T>(rows: T[][]): Array<Record<string, T>> {
  const [header, ...rest] = rows;
  return rest.map((row) => Object.fromEntries(header!.map((h, i) => [String(h), row[i]!])));
}

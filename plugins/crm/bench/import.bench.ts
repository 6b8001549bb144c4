/**
 * Import speed (issue 5, "Speed"): 100,000 generated rows from a CSV and from an XLSX file,
 * duplicates checked by email against the whole base, written by the import engine in batches.
 * Printed beside each: rows per second, the process's peak RSS while importing, and the ratio to
 * a raw multi-row INSERT of the same rows into crm_contacts + crm_channels measured in the same
 * run. Everything the benchmark writes is deleted again, so a measured base keeps its size:
 * `npm run bench -- crm.import --database mysql://root@127.0.0.1:3306/crm_bench_1m`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import ExcelJS from 'exceljs';
import { defineBenchmark, type Benchmark, type BenchContext } from '../../../bench/harness.js';
import type { CurrentUser, JobContext } from '../../../host/api.js';
import { actingAdmin } from '../seed/demo-context.js';
import { BulkInserter, type Row } from '../services/bulk-rows.js';
import { foldText } from '../services/normalize/text.js';
import type { ImportServiceImpl } from '../import/engine/import-service.js';
import { ImportTokens } from '../import/import-contract.js';
import pino from 'pino';

const ROWS = Number(process.env.CRM_BENCH_IMPORT_ROWS ?? 100_000);
const HEADERS = ['First name', 'Last name', 'Email', 'Phone', 'Company', 'City'];
const FIRST = ['Anna', 'Jan', 'Olga', 'Piotr', 'Iryna', 'Marek', 'Zofia', 'Dmitry', 'Ewa', 'Taras'];
const LAST = ['Kowalska', 'Nowak', 'Ivanova', 'Wiśniewski', 'Shevchenko', 'Lewandowski', 'Petrov', 'Kamińska', 'Bondar', 'Zieliński'];

interface State {
  file: string;
  user: CurrentUser;
  tag: string;
}

function row(tag: string, i: number): string[] {
  return [FIRST[i % 10]!, LAST[(i * 7) % 10]!, `${tag}.${i}@bench-import.example.org`, `+48 6${String(10_000_000 + i).slice(-8)}`, `Firma ${i % 5000}`, 'Warszawa'];
}

function writeCsv(file: string, tag: string): void {
  const fd = fs.openSync(file, 'w');
  let chunk = `${HEADERS.join(',')}\r\n`;
  for (let i = 0; i < ROWS; i++) {
    chunk += `${row(tag, i).join(',')}\r\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

async function writeXlsx(file: string, tag: string): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const sheet = book.addWorksheet('Contacts');
  sheet.addRow(HEADERS).commit();
  for (let i = 0; i < ROWS; i++) sheet.addRow(row(tag, i)).commit();
  sheet.commit();
  await book.commit();
}

/** Peak RSS while `fn` runs, sampled every 20 ms (and the process's own high-water mark). */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await fn();
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Deletes what an import created (contacts with their channels, terms, history) and the import itself. */
async function removeImport(db: Sequelize, importId: number): Promise<void> {
  for (;;) {
    const ids = (await db.query<{ contact_id: number }>(`SELECT contact_id FROM crm_import_rows WHERE import_id = ? AND contact_id IS NOT NULL ORDER BY id LIMIT 5000`, { replacements: [importId], type: QueryTypes.SELECT })).map((r) => Number(r.contact_id));
    if (!ids.length) break;
    await db.transaction(async (transaction) => {
      for (const table of ['crm_channels', 'crm_search_terms', 'crm_addresses', 'crm_field_values', 'crm_history']) {
        await db.query(`DELETE FROM ${table} WHERE contact_id IN (${marks(ids.length)})`, { replacements: ids, transaction });
      }
      await db.query(`DELETE FROM crm_contacts WHERE id IN (${marks(ids.length)})`, { replacements: ids, transaction });
      await db.query(`DELETE FROM crm_import_rows WHERE import_id = ? AND contact_id IN (${marks(ids.length)})`, { replacements: [importId, ...ids], transaction });
    });
  }
  await db.query('DELETE FROM crm_import_rows WHERE import_id = ?', { replacements: [importId] });
  await db.query('DELETE FROM crm_imports WHERE id = ?', { replacements: [importId] });
}

/** The floor: the same rows as plain multi-row INSERTs into crm_contacts and crm_channels, 2,000 per transaction. */
async function rawInsert(db: Sequelize, tag: string): Promise<number> {
  const inserter = new BulkInserter(db);
  const started = performance.now();
  const ids: number[] = [];
  for (let from = 0; from < ROWS; from += 2000) {
    await db.transaction(async (transaction) => {
      let next = await inserter.nextContactId(transaction);
      const contacts: Row[] = [];
      const channels: Row[] = [];
      const now = new Date();
      for (let i = from; i < Math.min(from + 2000, ROWS); i++) {
        const [first, last, email] = row(`${tag}raw`, i);
        const id = next++;
        ids.push(id);
        const name = `${first} ${last}`;
        contacts.push([id, 'person', name, foldText(name), first!, null, last!, now, now]);
        channels.push([id, 'email', null, email!, email!, true, false, 0]);
      }
      await inserter.insert('crm_contacts', ['id', 'kind', 'display_name', 'name_key', 'first_name', 'middle_name', 'last_name', 'created_at', 'updated_at'], contacts, transaction);
      await inserter.insert('crm_channels', ['contact_id', 'type', 'subtype', 'value', 'normalized', 'is_primary', 'consent', 'sort'], channels, transaction);
    });
  }
  const seconds = (performance.now() - started) / 1000;
  for (let i = 0; i < ids.length; i += 5000) {
    const part = ids.slice(i, i + 5000);
    await db.query(`DELETE FROM crm_channels WHERE contact_id IN (${marks(part.length)})`, { replacements: part });
    await db.query(`DELETE FROM crm_contacts WHERE id IN (${marks(part.length)})`, { replacements: part });
  }
  return ROWS / seconds;
}

function importBench(format: 'csv' | 'xlsx'): Benchmark {
  return defineBenchmark<State>({
    name: `crm.import.${format}`,
    description: `import ${ROWS.toLocaleString('en-US')} ${format.toUpperCase()} rows with a duplicate check by email, then the same rows as a raw multi-row INSERT`,
    count: 1,
    warmup: 0,
    async setup(ctx: BenchContext<State>) {
      const tag = `b${Date.now().toString(36)}`;
      const file = path.join(ctx.tempDir('crm-import-bench-'), `contacts.${format}`);
      if (format === 'csv') writeCsv(file, tag);
      else await writeXlsx(file, tag);
      ctx.state = { file, tag, user: await actingAdmin(ctx.host.services) };
    },
    async run(ctx: BenchContext<State>) {
      const { db } = ctx.host;
      const service = ctx.host.services.get<ImportServiceImpl>(ImportTokens.Service);
      const { file, user, tag } = ctx.state;
      const copy = `${file}.upload`;
      fs.copyFileSync(file, copy);
      const [{ n: base }] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM crm_contacts', { type: QueryTypes.SELECT });
      const started = performance.now();
      const { uploadId, sniff } = await service.stage(user, { path: copy, originalName: path.basename(file) });
      const mapping = await service.suggestMapping(user, sniff.headers);
      const id = await service.record(user, uploadId, mapping, { dedupe_keys: ['email'], on_duplicate: 'skip', dry_run: false, keep_valid: true, kind: 'person', apply: {}, read: sniff.options });
      const job: JobContext<unknown> = { id: 'bench', payload: {}, userId: user.id, checkpoint: null, logger: pino({ level: 'silent' }), cancelled: async () => false, progress: async () => undefined };
      const { peakMb } = await withPeakRss(() => service.execute(id, job));
      const seconds = (performance.now() - started) / 1000;
      const record = await service.get(user, id);
      try {
        if (record.state !== 'done' || record.created !== ROWS) throw new Error(`import ended ${record.state}: ${JSON.stringify(record)}`);
        const rate = ROWS / seconds;
        const raw = await rawInsert(db, tag);
        console.log(
          `  ${format.toUpperCase()}: ${ROWS.toLocaleString('en-US')} rows into a base of ${Number(base).toLocaleString('en-US')} in ${seconds.toFixed(1)} s = ` +
            `${Math.round(rate).toLocaleString('en-US')} rows/s, peak RSS ${Math.round(peakMb)} MB; raw INSERT ${Math.round(raw).toLocaleString('en-US')} rows/s; ratio ${(raw / rate).toFixed(2)}`,
        );
      } finally {
        await removeImport(db, id);
      }
    },
  });
}

export const benchmarks: Benchmark[] = [importBench('csv'), importBench('xlsx')];

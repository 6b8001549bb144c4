/**
 * Import speed (issue 5, "Speed"): 100,000 generated rows from a CSV and from an XLSX file,
 * duplicates checked by email against the whole base, written by the import engine in batches.
 * The import runs in a host of its own (bench/isolated.ts), a child process booted from the run's
 * environment as `npm start` boots, so its peak RSS is that of a server doing only the import.
 * Printed beside each: rows per second, that peak, and the ratio to a raw multi-row INSERT of the
 * same rows into crm_contacts + crm_channels measured in the same run. Everything the benchmark writes is deleted again, so a measured base keeps its size:
 * `npm run bench -- crm.import --database mysql://root@127.0.0.1:3306/crm_bench_1m`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { defineBenchmark, reportPeakRss, type Benchmark, type BenchContext } from '../../../bench/harness.js';
import { IsolatedHost, isolatedEnv, type IsolatedChild } from '../../../bench/isolated.js';
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
  tag: string;
  importer: IsolatedHost;
}

const MB = 2 ** 20;

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

/** Text in shared strings, as Excel writes it. */
async function writeXlsx(file: string, tag: string): Promise<void> {
  // Loaded here, not at the top: the importing child imports this module for `runImport`, and
  // exceljs (which the server never loads) added some 28 MB to the RSS measured there.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: false });
  const sheet = book.addWorksheet('Contacts');
  sheet.addRow(HEADERS).commit();
  for (let i = 0; i < ROWS; i++) sheet.addRow(row(tag, i)).commit();
  sheet.commit();
  await book.commit();
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Deletes what an import created (contacts with their channels, terms, history) and the import itself. */
async function removeImport(db: Sequelize, importId: number): Promise<void> {
  const ranges = await db.query<{ a: number; b: number | null }>(`SELECT contact_id AS a, last_contact_id AS b FROM crm_import_rows WHERE import_id = ? AND contact_id IS NOT NULL`, { replacements: [importId], type: QueryTypes.SELECT });
  const all = ranges.flatMap((r) => Array.from({ length: Number(r.b ?? r.a) - Number(r.a) + 1 }, (_, k) => Number(r.a) + k));
  for (let i = 0; i < all.length; i += 5000) {
    const ids = all.slice(i, i + 5000);
    await db.transaction(async (transaction) => {
      for (const table of ['crm_channels', 'crm_search_terms', 'crm_addresses', 'crm_field_values', 'crm_history']) {
        await db.query(`DELETE FROM ${table} WHERE contact_id IN (${marks(ids.length)})`, { replacements: ids, transaction });
      }
      await db.query(`DELETE FROM crm_contacts WHERE id IN (${marks(ids.length)})`, { replacements: ids, transaction });
    });
  }
  await db.query('DELETE FROM crm_import_rows WHERE import_id = ?', { replacements: [importId] });
  await db.query('DELETE FROM crm_imports WHERE id = ?', { replacements: [importId] });
}

/**
 * The floor: the same rows as plain multi-row INSERTs, 2,000 per transaction: the names and the
 * email into crm_contacts and crm_channels, or with `full` every column of the file (company
 * name, the phone as a second channel, the city as an address).
 */
async function rawInsert(db: Sequelize, tag: string, full = false): Promise<number> {
  const inserter = new BulkInserter(db);
  const started = performance.now();
  const ids: number[] = [];
  for (let from = 0; from < ROWS; from += 2000) {
    await db.transaction(async (transaction) => {
      let next = await inserter.nextContactId(transaction);
      const contacts: Row[] = [];
      const channels: Row[] = [];
      const addresses: Row[] = [];
      const now = new Date();
      for (let i = from; i < Math.min(from + 2000, ROWS); i++) {
        const [first, last, email, phone, company, city] = row(`${tag}raw`, i);
        const id = next++;
        ids.push(id);
        const name = `${first} ${last}`;
        contacts.push([id, 'person', name, foldText(name), first!, null, last!, full ? company! : null, now, now]);
        channels.push([id, 'email', null, email!, email!, true, false, 0]);
        if (full) {
          channels.push([id, 'phone', null, phone!, phone!.replace(/\s/g, ''), true, false, 0]);
          addresses.push([id, null, null, null, city!, null, null, 0]);
        }
      }
      await inserter.insert('crm_contacts', ['id', 'kind', 'display_name', 'name_key', 'first_name', 'middle_name', 'last_name', 'company_name', 'created_at', 'updated_at'], contacts, transaction);
      await inserter.insert('crm_channels', ['contact_id', 'type', 'subtype', 'value', 'normalized', 'is_primary', 'consent', 'sort'], channels, transaction);
      if (full) await inserter.insert('crm_addresses', ['contact_id', 'label', 'country', 'region', 'city', 'zip', 'street', 'sort'], addresses, transaction);
    });
  }
  const seconds = (performance.now() - started) / 1000;
  for (let i = 0; i < ids.length; i += 5000) {
    const part = ids.slice(i, i + 5000);
    await db.query(`DELETE FROM crm_channels WHERE contact_id IN (${marks(part.length)})`, { replacements: part });
    await db.query(`DELETE FROM crm_addresses WHERE contact_id IN (${marks(part.length)})`, { replacements: part });
    await db.query(`DELETE FROM crm_contacts WHERE id IN (${marks(part.length)})`, { replacements: part });
  }
  return ROWS / seconds;
}

/**
 * Everything a user's import goes through, in the importing host: staging, the suggested
 * mapping, the record (with its check of the whole file) and the run.
 */
export async function runImport(child: IsolatedChild, file: string, batch: number | null): Promise<{ id: number; seconds: number; cpuSeconds: number }> {
  const service = child.host.services.get<ImportServiceImpl>(ImportTokens.Service);
  if (batch) service.batchSize = batch;
  const user: CurrentUser = await actingAdmin(child.host.services);
  const job: JobContext<unknown> = { id: 'bench', payload: {}, userId: user.id, checkpoint: null, logger: pino({ level: 'silent' }), cancelled: async () => false, progress: async () => undefined };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const { uploadId, sniff } = await service.stage(user, { path: file, originalName: path.basename(file) });
  const mapping = await service.suggestMapping(user, sniff.headers);
  const id = await service.record(user, uploadId, mapping, { dedupe_keys: ['email'], on_duplicate: 'skip', dry_run: false, keep_valid: true, kind: 'person', apply: {}, read: sniff.options });
  await service.execute(id, job);
  const cpu = process.cpuUsage(cpu0);
  return { id, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function importBench(format: 'csv' | 'xlsx'): Benchmark {
  return defineBenchmark<State>({
    name: `crm.import.${format}`,
    description: `import ${ROWS.toLocaleString('en-US')} ${format.toUpperCase()} rows with a duplicate check by email in a host of its own, then the same rows as a raw multi-row INSERT`,
    count: 1,
    warmup: 0,
    async setup(ctx: BenchContext<State>) {
      const tag = `b${Date.now().toString(36)}`;
      const file = path.join(ctx.tempDir('crm-import-bench-'), `contacts.${format}`);
      if (format === 'csv') writeCsv(file, tag);
      else await writeXlsx(file, tag);
      // Jobs off: the import is run by the benchmark, and the host takes none of the run's jobs.
      const importer = await IsolatedHost.start({ env: isolatedEnv(ctx), execArgv: (process.env.IMPORT_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean) });
      ctx.state = { file, tag, importer };
    },
    async run(ctx: BenchContext<State>) {
      const { db } = ctx.host;
      const { file, tag, importer } = ctx.state;
      const copy = `${file}.upload`;
      fs.copyFileSync(file, copy);
      const [{ n: base }] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM crm_contacts', { type: QueryTypes.SELECT });
      const load = os.loadavg()[0]!.toFixed(1);
      const { result, usage } = await importer.call<{ id: number; seconds: number; cpuSeconds: number }, [string, number | null]>({
        module: import.meta.url,
        fn: 'runImport',
        args: [copy, process.env.CRM_BENCH_IMPORT_BATCH ? Number(process.env.CRM_BENCH_IMPORT_BATCH) : null],
      });
      reportPeakRss(usage.peakRssMb * MB);
      const { id, seconds, cpuSeconds } = result;
      const record = await ctx.host.services.get<ImportServiceImpl>(ImportTokens.Service).get(await actingAdmin(ctx.host.services), id);
      try {
        if (record.state !== 'done' || record.created !== ROWS) throw new Error(`import ended ${record.state}: ${JSON.stringify(record)}`);
        const rate = ROWS / seconds;
        const raw = await rawInsert(db, tag);
        const rawFull = await rawInsert(db, `${tag}f`, true);
        console.log(
          `  ${format.toUpperCase()}: ${ROWS.toLocaleString('en-US')} rows into a base of ${Number(base).toLocaleString('en-US')} in ${seconds.toFixed(1)} s = ` +
            `${Math.round(rate).toLocaleString('en-US')} rows/s, ${cpuSeconds.toFixed(1)} s of the importing host's CPU; load ${load}; importing host's RSS: after boot ${Math.round(usage.bootRssMb)} MB, peak ${Math.round(usage.peakRssMb)} MB; ` +
            `raw INSERT ${Math.round(raw).toLocaleString('en-US')} rows/s, ratio ${(raw / rate).toFixed(2)}; raw INSERT of every column ${Math.round(rawFull).toLocaleString('en-US')} rows/s, ratio ${(rawFull / rate).toFixed(2)}`,
        );
      } finally {
        await removeImport(db, id);
      }
    },
    async teardown(ctx: BenchContext<State>) {
      await ctx.state.importer?.stop();
    },
  });
}

export const benchmarks: Benchmark[] = [importBench('csv'), importBench('xlsx')];

/**
 * Exports contacts: a list filter (the list's own query string, including `selected=1` for the
 * user's selection and `segment_id` for a segment) resolved inside the access scope by the query
 * service, the chosen columns checked against the catalogue, then the contacts loaded page by page
 * (a fixed number of queries per page) straight into a CSV or XLSX writer. Small exports stream
 * into the response; large ones run as a job that writes a file into the data folder for its owner.
 * Every export is logged.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { TFunction } from 'i18next';
import type { Sequelize } from 'sequelize';
import {
  HttpError,
  TOKENS,
  type CurrentUser,
  type ExtensionRegistry,
  type HostConfig,
  type I18nService,
  type JobRunner,
  type Language,
  type PluginContext,
  type UsersService,
} from '../../../host/api.js';
import { CrmTokens, ioColumns, type Contact, type ContactQueryService, type ContactScope, type ListQuery } from '../api.js';
import { companyNames } from '../routes/list-lookups.js';
import type { ContactLoader } from '../services/contact-loader.js';
import { CrmInternalTokens } from '../services/contacts-service.js';
import type { DictionariesService } from '../services/dictionaries-service.js';
import type { FieldsService } from '../services/fields-service.js';
import { SELECTED_CONDITION, selectedValue } from '../services/selection-service.js';
import { defaultColumns, exportCatalog, type ExportColumn, type PageLookups } from './export-columns.js';
import { ExportLog } from './export-log.js';
import { ExportReader, mergeReads } from './export-reader.js';
import { sheetWriter, type CellValue, type CsvOptions, type ExportFormat } from './export-writers.js';

/** Up to this many contacts stream straight into the response; more run as a job. */
export const STREAM_LIMIT = 10_000;
/** The most contacts one export may hold. */
export const MAX_EXPORT_ROWS = 1_000_000;
/**
 * Contacts loaded and written per step: one progress step of a job. Pages of 1,000 take the same
 * time as pages of 2,000 or 5,000 but keep the host's peak memory far lower. Pages of 500 kept it
 * lower still (by some 20 MB for 100,000 rows to XLSX) but cost MariaDB about 40% more work: it
 * turns an IN list of 1,000 ids or more into a join on a table of values
 * (`in_predicate_conversion_threshold`), cheaper than as many index lookups; the export shares
 * its cores with the database.
 */
export const PAGE_SIZE = 1000;
/** Pages loading at once ahead of the one being written (one ahead was slower on MariaDB, three no faster). */
const PAGES_AHEAD = 2;
/** The job type (`ctx.job('export')` in the CRM plugin). */
export const JOB_TYPE = 'crm.export';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Parameters of a list address that are not filters (paging, sorting, the page's own state). */
const NOT_FILTERS = new Set(['sort', 'order', 'limit', 'cursor', 'before', 'pos', 'restored', 'job', 'selected']);
const TRUE = new Set(['1', 'true', 'yes', 'on']);

/** What the user asked for, as the page, the API, the CLI and the job's payload carry it. */
export interface ExportInput {
  format: ExportFormat;
  /** Column ids in order; the default choice when empty. */
  columns: string[];
  /** The list's query string (`status_id=3&tag=vip`, `selected=1`); empty for every contact. */
  filter: string;
  csv: CsvOptions;
  language: Language;
}

/** An export ready to run: its contacts resolved inside the scope and its columns checked. */
export interface ExportPlan {
  input: ExportInput;
  ids: number[];
  columns: ExportColumn[];
  t: TFunction;
}

export interface WriteHooks {
  progress?(done: number, total: number): Promise<void>;
  cancelled?(): Promise<boolean>;
}

const tooMany = () =>
  new HttpError(400, 'too_many', 'crm:export.over_limit', [{ field: 'filter', code: 'too_many', message: 'crm:export.over_limit', params: { limit: MAX_EXPORT_ROWS } }], { limit: MAX_EXPORT_ROWS });

/** The file name offered for download: `contacts-2026-05-01.xlsx`. */
export function downloadName(format: ExportFormat, at = new Date()): string {
  return `contacts-${at.toISOString().slice(0, 10)}.${format}`;
}

export class ExportService {
  constructor(private readonly ctx: PluginContext) {}

  get log(): ExportLog {
    return new ExportLog(this.ctx.get<Sequelize>(TOKENS.Database));
  }

  private get dir(): string {
    return path.resolve(this.ctx.get<HostConfig>(TOKENS.Config).dataDir, 'exports');
  }

  filePath(fileName: string): string {
    return path.join(this.dir, path.basename(fileName));
  }

  t(language: Language): TFunction {
    return this.ctx.get<I18nService>(TOKENS.I18n).fixedT(language);
  }

  /** Every column this user may export, titles in `language`. */
  async catalog(user: CurrentUser, language: Language): Promise<ExportColumn[]> {
    const fields = await this.ctx.get<FieldsService>(CrmTokens.Fields).all();
    return exportCatalog(this.t(language), language, fields, this.ctx.get<ExtensionRegistry>(TOKENS.Extensions).list(ioColumns, user));
  }

  /** The chosen columns in order (400 naming each unknown one), or the default choice. */
  async columns(user: CurrentUser, language: Language, ids: string[]): Promise<ExportColumn[]> {
    const catalog = await this.catalog(user, language);
    const byId = new Map(catalog.map((c) => [c.id, c]));
    const wanted = ids.length ? [...new Set(ids)] : defaultColumns(catalog);
    const errors = wanted.flatMap((id, i) => (byId.has(id) ? [] : [{ field: `columns.${i}`, code: 'enum', message: 'crm:export.unknown_column', params: { column: id } }]));
    if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
    return wanted.map((id) => byId.get(id)!);
  }

  /**
   * The list's query string as a ListQuery, through the query service's own parsing (400 for a
   * bad filter). `selected=1` is the user's selection: its condition is made for this user only.
   */
  query(user: CurrentUser, filter: string): ListQuery {
    const params: Record<string, string | string[]> = {};
    let selected = false;
    for (const [key, raw] of new URLSearchParams(filter)) {
      const value = raw.trim();
      if (key === 'selected') selected ||= TRUE.has(value.toLowerCase());
      if (NOT_FILTERS.has(key) || value === '') continue;
      // The list spells booleans 1/0 as well; the query service takes true/false.
      const v = ['trash', 'has_email', 'has_phone'].includes(key) ? String(TRUE.has(value.toLowerCase())) : value;
      const prev = params[key];
      params[key] = prev === undefined ? v : ([] as string[]).concat(prev, v);
    }
    const query = this.ctx.get<ContactQueryService>(CrmTokens.ContactQuery).fromParams(params);
    if (selected) query.conditions = { ...query.conditions, [SELECTED_CONDITION]: selectedValue(this.ctx, user) };
    return query;
  }

  /** How many contacts the filter gives, up to the list's exact-count limit (`capped` past it). */
  count(user: CurrentUser, filter: string): Promise<{ total: number; capped: boolean }> {
    return this.ctx.get<ContactQueryService>(CrmTokens.ContactQuery).count(user, this.query(user, filter));
  }

  /** Whether an export of this filter is too large to stream within the request. */
  async needsJob(user: CurrentUser, filter: string): Promise<boolean> {
    const { total, capped } = await this.count(user, filter);
    return capped || total > STREAM_LIMIT;
  }

  /** Resolves the contacts (inside the access scope, by id) and checks the columns. */
  async plan(user: CurrentUser, input: ExportInput): Promise<ExportPlan> {
    const columns = await this.columns(user, input.language, input.columns);
    const ids = await this.ctx.get<ContactQueryService>(CrmTokens.ContactQuery).ids(user, this.query(user, input.filter), MAX_EXPORT_ROWS + 1);
    if (ids.length > MAX_EXPORT_ROWS) throw tooMany();
    return { input: { ...input, columns: columns.map((c) => c.id) }, ids, columns, t: this.t(input.language) };
  }

  /** Streams the export into `out` (an HTTP response), logged as a download. Returns the rows written. */
  async download(user: CurrentUser, plan: ExportPlan, out: Writable): Promise<number> {
    const log = this.log;
    const id = await log.start({ userId: user.id, format: plan.input.format, columns: plan.input.columns, filter: plan.input.filter, delivery: 'download' });
    try {
      const rows = await this.write(user, plan, out);
      await log.finish(id, 'done', rows);
      return rows;
    } catch (err) {
      await log.finish(id, 'failed', 0, { error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** Logs the export and queues its job; the job resolves the contacts again with the user's rights of that moment. */
  async enqueue(user: CurrentUser, input: ExportInput): Promise<{ id: number; jobId: string }> {
    // Checked now, so a bad column or filter is a 400 rather than a failed job.
    await this.columns(user, input.language, input.columns);
    this.query(user, input.filter);
    const log = this.log;
    await this.removeExpired();
    const id = await log.start({ userId: user.id, format: input.format, columns: input.columns, filter: input.filter, delivery: 'file' });
    const payload: ExportJobPayload = { exportId: id, input };
    const jobId = await this.ctx.get<JobRunner>(TOKENS.Jobs).enqueue(JOB_TYPE, payload, { userId: user.id });
    await log.update(id, { job_id: jobId });
    return { id, jobId };
  }

  /** The job's work: writes the file, then completes the log entry with it. */
  async runJob(user: CurrentUser, payload: ExportJobPayload, hooks: WriteHooks): Promise<{ rows: number; cancelled: boolean }> {
    const log = this.log;
    fs.mkdirSync(this.dir, { recursive: true });
    const fileName = `${payload.exportId}-${randomBytes(8).toString('hex')}.${payload.input.format}`;
    const file = this.filePath(fileName);
    let cancelled = false;
    try {
      const plan = await this.plan(user, payload.input);
      const out = fs.createWriteStream(file);
      const finished = new Promise<void>((resolve, reject) => out.on('close', resolve).on('error', reject));
      const rows = await this.write(user, plan, out, {
        progress: hooks.progress,
        cancelled: async () => (cancelled = Boolean(await hooks.cancelled?.())),
      });
      await finished;
      if (cancelled) {
        fs.rmSync(file, { force: true });
        await log.finish(payload.exportId, 'cancelled', rows);
        return { rows, cancelled };
      }
      await log.finish(payload.exportId, 'done', rows, { fileName });
      return { rows, cancelled };
    } catch (err) {
      fs.rmSync(file, { force: true });
      const message = err instanceof HttpError ? this.t(payload.input.language)(err.messageKey, err.params ?? {}) : err instanceof Error ? err.message : String(err);
      await log.finish(payload.exportId, 'failed', 0, { error: message });
      throw new Error(message);
    }
  }

  /** Deletes the files of exports whose day is over. */
  async removeExpired(): Promise<void> {
    for (const name of await this.log.expire()) fs.rmSync(this.filePath(name), { force: true });
  }

  /** Writes the header and every contact of the plan, a page at a time; stops early when cancelled. */
  async write(user: CurrentUser, plan: ExportPlan, out: Writable, hooks: WriteHooks = {}): Promise<number> {
    const { input, ids, columns, t } = plan;
    const writer = sheetWriter(
      input.format,
      out,
      columns.map((c) => c.title),
      { ...input.csv, sheetName: t('crm:export.sheet_name') },
    );
    const [dictionary, users] = await Promise.all([this.ctx.get<DictionariesService>(CrmTokens.Dictionaries).all(), this.ctx.get<UsersService>(TOKENS.Users).list()]);
    const translated = new Map<string, string>();
    const lookups = {
      t: (key: string) => translated.get(key) ?? translated.set(key, t(key)).get(key)!,
      language: input.language,
      dictionary: new Map(dictionary.map((d) => [d.id, d])),
      users: new Map(users.map((u) => [u.id, u.name])),
    };
    const reads = mergeReads(columns.map((c) => c.reads));
    const reader = new ExportReader(
      this.ctx.get<Sequelize>(TOKENS.Database),
      this.ctx.get<FieldsService>(CrmTokens.Fields),
      this.ctx.get<ContactLoader>(CrmInternalTokens.Loader),
      reads,
    );
    const plugins = columns.filter((c) => c.io);
    // Plugins' columns are asked for their pages in order, one page at a time, as before pages loaded ahead.
    let pluginTurn = Promise.resolve();
    const load = async (start: number) => {
      const previous = pluginTurn;
      let done!: () => void;
      pluginTurn = new Promise<void>((resolve) => (done = resolve));
      try {
        const contacts = await reader.page(ids.slice(start, start + PAGE_SIZE));
        const page: PageLookups = { ...lookups, companies: reads.companies ? await this.companies(user, contacts) : new Map(), plugin: new Map() };
        await previous;
        for (const c of plugins) page.plugin.set(c.id, await c.io!.values(contacts));
        return { contacts, page };
      } finally {
        done();
      }
    };
    let written = 0;
    // Pages load ahead while earlier ones are written: on MariaDB a page's queries wait on the
    // server more than they work here, so several in flight keep both sides busy.
    const pending: Array<ReturnType<typeof load>> = [];
    let ahead = 0;
    const fill = () => {
      for (; pending.length < PAGES_AHEAD && ahead < ids.length; ahead += PAGE_SIZE) pending.push(load(ahead));
    };
    try {
      fill();
      while (pending.length) {
        const { contacts, page } = await pending.shift()!;
        if (await hooks.cancelled?.()) break;
        fill();
        const rows: CellValue[][] = contacts.map((contact) => columns.map((c) => c.cell(contact, page)));
        await writer.rows(rows);
        written += rows.length;
        await hooks.progress?.(written, ids.length);
      }
    } finally {
      // Pages still loading when writing failed or stopped must not end as unhandled rejections.
      for (const next of pending) void next.catch(() => undefined);
    }
    await writer.end();
    return written;
  }

  private companies(user: CurrentUser, contacts: Contact[]): Promise<Map<number, string>> {
    return companyNames(this.ctx.get<Sequelize>(TOKENS.Database), this.ctx.get<ContactScope>(CrmTokens.Scope), user, contacts);
  }
}

export interface ExportJobPayload {
  exportId: number;
  input: ExportInput;
}

/**
 * The export job: the user's rights are read again when it runs, so the file holds what the user
 * may see then. A restarted job starts its file over (a half-written zip cannot be resumed).
 */
export function registerExportJob(ctx: PluginContext): void {
  ctx.job<ExportJobPayload>('export', async (job) => {
    const user = job.userId === null ? null : await ctx.get<UsersService>(TOKENS.Users).currentUser(job.userId);
    if (!user || !user.can('crm.contacts.export')) throw new Error('The user who started this export may no longer export contacts.');
    const result = await new ExportService(ctx).runJob(user, job.payload, {
      progress: (done, total) => job.progress(done, total),
      cancelled: () => job.cancelled(),
    });
    return { export_id: job.payload.exportId, rows: result.rows };
  });
}

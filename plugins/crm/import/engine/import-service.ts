/**
 * The ImportService of the contract: staging and previewing files, the mapping targets and
 * suggestions, checking and starting an import as a job, its record and failed rows, cancel and
 * undo. The work itself is in ImportRun and undoImport; this class checks, records and queues.
 */
import { Readable } from 'node:stream';
import type { Sequelize } from 'sequelize';
import {
  HttpError,
  TOKENS,
  inject,
  injectable,
  type CurrentUser,
  type EventBus,
  type ExtensionRegistry,
  type FieldError,
  type HostConfig,
  type I18nService,
  type JobContext,
  type JobRunner,
  type SettingsStore,
  type UsersService,
} from '../../../../host/api.js';
import { CrmTokens, contactBeforeSave, ioColumns, type ContactScope, type ContactsService, type HistoryWriter } from '../../api.js';
import { readCrmSettings } from '../../services/crm-settings.js';
import type { DictionariesService } from '../../services/dictionaries-service.js';
import { FieldsService } from '../../services/fields-service.js';
import {
  IMPORT_DELIMITERS,
  IMPORT_ENCODINGS,
  type DedupeKey,
  type FileSniff,
  type ImportOptions,
  type ImportRecord,
  type ImportService,
  type ImportTargetInfo,
  type MappingTarget,
  type ReadOptions,
} from '../import-contract.js';
import { failedRowsCsv } from './failed-rows.js';
import type { ImportFileReader } from './file-reader.js';
import { ImportStore, type ImportRow } from './import-store.js';
import { ImportRun } from './import-run.js';
import { ReferenceResolver } from './references.js';
import { STANDARD_TARGETS, suggestTargets, targetCatalog, titleKey, type TargetCatalog } from './targets.js';
import { undoImport } from './undo-run.js';
import { UploadStore } from './upload-store.js';

export const ImportInternalTokens = {
  Reader: Symbol.for('crm.import.Reader'),
} as const;

export const IMPORT_JOB = 'import';
export const UNDO_JOB = 'import-undo';
export const RIGHT = 'crm.contacts.import';

const DEDUPE_KEYS: DedupeKey[] = ['email', 'phone', 'tax_id', 'external_id'];
/** The mapping target a dedupe key needs. */
const KEY_TARGET: Record<DedupeKey, (t: string) => boolean> = {
  email: (t) => t === 'email',
  phone: (t) => t === 'phone',
  tax_id: (t) => t === 'tax_id' || t.startsWith('tax_id.'),
  external_id: (t) => t === 'external_id',
};

const forbidden = () => new HttpError(403, 'forbidden', 'host:errors.forbidden');
const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');
const invalid = (details: FieldError[]) => new HttpError(400, 'invalid_input', 'host:errors.invalid_input', details);
const FINAL = new Set(['done', 'failed', 'cancelled', 'undone']);
/** Staged uploads nobody has used for this long are removed (an upload abandoned in the wizard). */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

@injectable()
export class ImportServiceImpl implements ImportService {
  readonly store: ImportStore;
  private readonly uploads: UploadStore;
  /**
   * Rows per transaction; smaller in tests that interrupt an import between batches. 500 imports
   * as fast as 2,000 on a base of a million (the database's share is the same) while the process
   * grows by half as much: a batch's rows live across its round trips and end up in the old
   * generation, which V8 lets fill up several times over before collecting it.
   */
  batchSize = 500;

  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Config) config: HostConfig,
    @inject(TOKENS.Jobs) private readonly jobs: JobRunner,
    @inject(TOKENS.I18n) private readonly i18n: I18nService,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
    @inject(TOKENS.Settings) private readonly settingsStore: SettingsStore,
    @inject(TOKENS.Users) private readonly users: UsersService,
    @inject(TOKENS.Events) private readonly events: EventBus,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.Contacts) private readonly contacts: ContactsService,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
    @inject(CrmTokens.Fields) private readonly fields: FieldsService,
    @inject(CrmTokens.Dictionaries) private readonly dictionaries: DictionariesService,
    @inject(ImportInternalTokens.Reader) private readonly reader: ImportFileReader,
  ) {
    this.store = new ImportStore(db);
    this.uploads = new UploadStore(config.dataDir);
  }

  private assertRight(user: CurrentUser): void {
    if (!user.can(RIGHT)) throw forbidden();
  }

  private async catalog(): Promise<TargetCatalog> {
    return targetCatalog(await this.fields.all(), this.extensions.list(ioColumns));
  }

  async stage(user: CurrentUser, file: { path: string; originalName: string }, read?: ReadOptions): Promise<{ uploadId: string; sniff: FileSniff }> {
    this.assertRight(user);
    const staged = await this.uploads.keep(user, file);
    try {
      return { uploadId: staged.uploadId, sniff: await this.reader.sniff(staged.path, read) };
    } catch (err) {
      await this.uploads.remove(staged.uploadId);
      throw err;
    }
  }

  async preview(user: CurrentUser, uploadId: string, read: ReadOptions): Promise<FileSniff> {
    this.assertRight(user);
    const staged = await this.uploads.get(user, uploadId);
    return this.reader.sniff(staged.path, read);
  }

  async targets(user: CurrentUser, lng: string): Promise<ImportTargetInfo[]> {
    this.assertRight(user);
    const catalog = await this.catalog();
    return [
      { id: 'skip', title: this.i18n.t(lng, 'crm:import.target.skip'), group: 'standard', multiple: true },
      ...STANDARD_TARGETS.map((t) => ({ id: t.id, title: this.i18n.t(lng, titleKey(t.id)), group: 'standard' as const, multiple: t.multiple })),
      ...[...catalog.fields.values()].map((f) => ({ id: `custom.${f.key}`, title: FieldsService.label(f, lng), group: 'custom' as const, multiple: f.type === 'multi_select' })),
      ...[...catalog.io].map(([id, c]) => ({ id, title: this.i18n.t(lng, c.title), group: 'plugin' as const, multiple: true })),
    ];
  }

  async suggestMapping(user: CurrentUser, headers: string[]): Promise<MappingTarget[]> {
    this.assertRight(user);
    const catalog = await this.catalog();
    const remembered = await this.store.rememberedMapping(headers);
    if (remembered && remembered.every((t) => catalog.ids.has(t))) return remembered;
    const titles = new Map<string, string[]>();
    for (const [id, column] of catalog.io) titles.set(id, this.i18n.languages.map((l) => this.i18n.t(l, column.title)));
    for (const t of STANDARD_TARGETS) titles.set(t.id, this.i18n.languages.map((l) => this.i18n.t(l, titleKey(t.id))));
    return suggestTargets(headers, catalog, titles);
  }

  /** 400 with a detail per problem of the mapping and options. */
  private async check(user: CurrentUser, headers: string[], mapping: MappingTarget[], options: ImportOptions, catalog: TargetCatalog): Promise<void> {
    const errors: FieldError[] = [];
    const err = (field: string, message: string, params?: Record<string, unknown>) => errors.push({ field, code: 'invalid', message, params });
    if (!Array.isArray(mapping) || mapping.length !== headers.length) err('mapping', 'crm:import.errors.mapping_length', { expected: headers.length });
    else {
      const used = new Set<string>();
      mapping.forEach((t, i) => {
        if (!catalog.ids.has(t)) err(`mapping.${i}`, 'crm:import.errors.unknown_target', { target: String(t) });
        else if (t !== 'skip' && used.has(t) && !catalog.multiple.has(t)) err(`mapping.${i}`, 'crm:import.errors.target_twice', { column: headers[i] });
        used.add(t);
      });
      if (mapping.every((t) => t === 'skip')) err('mapping', 'crm:import.errors.nothing_mapped');
    }
    const o = options as Partial<ImportOptions>;
    if (!['create', 'skip', 'update'].includes(String(o.on_duplicate))) err('options.on_duplicate', 'host:validation.enum');
    if (!['person', 'company'].includes(String(o.kind))) err('options.kind', 'host:validation.enum');
    if (!Array.isArray(o.dedupe_keys) || o.dedupe_keys.some((k) => !DEDUPE_KEYS.includes(k))) err('options.dedupe_keys', 'host:validation.enum');
    else if (o.on_duplicate !== 'create') {
      if (!o.dedupe_keys.length) err('options.dedupe_keys', 'crm:import.errors.dedupe_keys_required');
      for (const key of o.dedupe_keys) if (Array.isArray(mapping) && !mapping.some(KEY_TARGET[key])) err('options.dedupe_keys', 'crm:import.errors.dedupe_key_unmapped', { key });
    }
    const apply = o.apply ?? {};
    if (apply.status_id != null) {
      const item = await this.dictionaries.get(apply.status_id);
      if (!item || item.dictionary !== 'status') err('options.apply.status_id', 'crm:errors.unknown_item');
    }
    if (apply.responsible_id != null) {
      const found = await this.users.get(apply.responsible_id);
      if (!found?.isActive) err('options.apply.responsible_id', 'crm:errors.unknown_user');
    }
    if (apply.class_id != null) {
      // The same check as any contact save: the access plugin refuses classes the user may not assign.
      try {
        await this.db.transaction((transaction) => this.events.emitBefore(contactBeforeSave, { input: { class_id: apply.class_id }, existing: null, user, transaction }));
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        const detail = Array.isArray(e.details) ? e.details[0] : undefined;
        err('options.apply.class_id', detail?.message ?? e.messageKey, detail?.params);
      }
    }
    if (apply.tags?.length) {
      const column = this.tagsColumn(catalog);
      if (!column) err('options.apply.tags', 'crm:import.errors.tags_unavailable');
      else for (const [i, tag] of apply.tags.entries()) {
        const problem = await catalog.io.get(column)!.validate?.(tag);
        if (problem) err(`options.apply.tags.${i}`, problem);
      }
    }
    if (errors.length) throw invalid(errors);
  }

  private tagsColumn(catalog: TargetCatalog): string | null {
    return [...catalog.io.keys()].find((id) => id === 'io.tags.tags') ?? null;
  }

  /** Checks and records an import without queueing it (the CLI runs it in place). */
  async record(user: CurrentUser, uploadId: string, mapping: MappingTarget[], options: ImportOptions): Promise<number> {
    this.assertRight(user);
    const staged = await this.uploads.get(user, uploadId);
    const read = options?.read ?? {};
    if ((read.encoding && !IMPORT_ENCODINGS.includes(read.encoding)) || (read.delimiter && !IMPORT_DELIMITERS.includes(read.delimiter))) {
      throw invalid([{ field: 'options.read', code: 'enum', message: 'host:validation.enum' }]);
    }
    const sniff = await this.reader.sniff(staged.path, read);
    const format = sniff.format;
    await this.check(user, sniff.headers, mapping, options, await this.catalog());
    const { rows } = await this.reader.scan(staged.path, sniff.options, format);
    const limit = (await readCrmSettings(this.settingsStore)).import_row_limit;
    if (rows > limit) throw new HttpError(413, 'too_large', 'crm:import.errors.too_many_rows', undefined, { rows, limit });
    await this.store.rememberMapping(sniff.headers, mapping);
    const clean: ImportOptions = {
      dedupe_keys: [...new Set(options.dedupe_keys)],
      on_duplicate: options.on_duplicate,
      dry_run: Boolean(options.dry_run),
      keep_valid: Boolean(options.keep_valid),
      kind: options.kind,
      apply: options.apply ?? {},
      read: sniff.options,
    };
    await this.uploads.touch(uploadId);
    return this.store.create({ fileName: staged.originalName, uploadId, format, headers: sniff.headers, mapping, options: clean, userId: user.id, total: rows });
  }

  async start(user: CurrentUser, uploadId: string, mapping: MappingTarget[], options: ImportOptions): Promise<ImportRecord> {
    const id = await this.record(user, uploadId, mapping, options);
    const jobId = await this.jobs.enqueue(`crm.${IMPORT_JOB}`, { importId: id }, { userId: user.id });
    await this.store.set(id, { job_id: jobId });
    return this.get(user, id);
  }

  /** The record if the user may see it: their own imports, or any for an administrator. */
  private async visible(user: CurrentUser, id: number): Promise<ImportRow> {
    this.assertRight(user);
    const row = Number.isSafeInteger(id) && id > 0 ? await this.store.get(id) : null;
    if (!row || (!user.isAdmin && row.user_id !== user.id)) throw notFound();
    return this.reconcile(row);
  }

  /** An import whose job ended without it (its worker kept dying, or it was cancelled while queued) takes the job's end. */
  private async reconcile(row: ImportRow): Promise<ImportRow> {
    if (FINAL.has(row.state) || !row.job_id) return row;
    const job = await this.jobs.get(row.job_id);
    if (!job || (job.state !== 'failed' && job.state !== 'cancelled')) return row;
    const error = job.state === 'failed' ? { key: 'crm:import.job_failed', params: { message: job.error ?? '' } } : null;
    await this.store.set(row.id, { state: job.state, finished_at: job.finishedAt ?? new Date(), ...(error ? { error } : {}) });
    return (await this.store.get(row.id))!;
  }

  private toRecord(row: ImportRow, lng: string): ImportRecord {
    return {
      id: row.id,
      state: row.state,
      file_name: row.file_name,
      format: row.format,
      dry_run: row.dry_run,
      total: row.total,
      processed: row.processed,
      created: row.created,
      updated: row.updated,
      skipped: row.skipped,
      failed: row.failed,
      job_id: row.undo_job_id && row.state !== 'undone' ? row.undo_job_id : row.job_id,
      user_id: row.user_id,
      user_name: row.user_name,
      created_at: row.created_at.toISOString(),
      finished_at: row.finished_at?.toISOString() ?? null,
      error: row.error ? this.i18n.t(lng, row.error.key, row.error.params) : null,
      can_undo: !row.dry_run && !row.undo_job_id && ['done', 'failed', 'cancelled'].includes(row.state) && row.created + row.updated > 0,
      undo_result: row.undo_result,
    };
  }

  async get(user: CurrentUser, id: number): Promise<ImportRecord> {
    return this.toRecord(await this.visible(user, id), user.locale ?? 'en');
  }

  /**
   * The file, mapping and options of an import, to run a dry run for real or change its settings;
   * 409 when its staged file is no longer kept (removed once imported for real, or swept a day
   * after its last use).
   */
  async settings(user: CurrentUser, id: number): Promise<{ uploadId: string; mapping: MappingTarget[]; options: ImportOptions }> {
    const row = await this.visible(user, id);
    if (!(await this.uploads.exists(row.upload_id))) throw new HttpError(409, 'conflict', 'crm:import.errors.file_gone');
    return { uploadId: row.upload_id, mapping: row.mapping, options: row.options };
  }

  async list(user: CurrentUser, limit = 20): Promise<ImportRecord[]> {
    this.assertRight(user);
    const rows = await this.store.list(user.isAdmin ? null : user.id, Math.min(Math.max(limit, 1), 100));
    return Promise.all(rows.map(async (r) => this.toRecord(await this.reconcile(r), user.locale ?? 'en')));
  }

  async failedRowsCsv(user: CurrentUser, id: number, lng: string): Promise<NodeJS.ReadableStream> {
    const row = await this.visible(user, id);
    return Readable.from(failedRowsCsv(this.store, row, (key, params) => this.i18n.t(lng, key, params)));
  }

  async cancel(user: CurrentUser, id: number): Promise<ImportRecord> {
    const row = await this.visible(user, id);
    if (FINAL.has(row.state)) throw new HttpError(409, 'conflict', 'crm:import.errors.not_running');
    if (row.job_id) await this.jobs.cancel(row.job_id);
    return this.get(user, id);
  }

  async undo(user: CurrentUser, id: number): Promise<ImportRecord> {
    const row = await this.visible(user, id);
    if (!this.toRecord(row, 'en').can_undo) throw new HttpError(409, 'conflict', 'crm:import.errors.cannot_undo');
    const jobId = await this.jobs.enqueue(`crm.${UNDO_JOB}`, { importId: id }, { userId: user.id });
    await this.store.set(id, { undo_job_id: jobId });
    return this.get(user, id);
  }

  // -------------------------------------------------------------------------------------------
  // The jobs

  private async actingUser(userId: number | null): Promise<CurrentUser> {
    const user = userId === null ? null : await this.users.currentUser(userId);
    if (!user || !user.can(RIGHT)) throw new Error('The user who started the import can no longer import contacts');
    return user;
  }

  /**
   * The staged file of an import that has ended, unless a dry run (the wizard offers to run it
   * for real) or another queued or running import still needs it. Its failed rows and undo read
   * the database only.
   */
  private async release(importId: number): Promise<void> {
    const row = await this.store.get(importId);
    if (!row || !FINAL.has(row.state) || row.dry_run) return;
    if ((await this.store.activeUploads()).has(row.upload_id)) return;
    await this.uploads.remove(row.upload_id);
  }

  /** Removes staged uploads untouched for UPLOAD_TTL_MS that no queued or running import uses; run as each import job starts. */
  async sweepUploads(now = new Date()): Promise<number> {
    return this.uploads.sweep(new Date(now.getTime() - UPLOAD_TTL_MS), await this.store.activeUploads());
  }

  /** Runs (or resumes) an import to its end; the job handler, and the CLI without a job. */
  async execute(importId: number, job: JobContext<unknown> | null): Promise<void> {
    const row = await this.store.get(importId);
    if (!row || FINAL.has(row.state)) return;
    await this.sweepUploads();
    try {
      const user = await this.actingUser(row.user_id);
      const staged = await this.uploads.get(null, row.upload_id);
      const settings = await readCrmSettings(this.settingsStore);
      const catalog = await this.catalog();
      const run = new ImportRun(
        {
          db: this.db,
          store: this.store,
          reader: this.reader,
          scope: this.scope,
          contacts: this.contacts,
          history: this.history,
          events: this.events,
          fields: this.fields,
          resolver: new ReferenceResolver(this.db, this.scope, user, await this.dictionaries.all()),
          io: catalog.io,
          tagsColumn: this.tagsColumn(catalog),
          defaultCountry: settings.default_phone_country,
          batchSize: this.batchSize,
          filePath: staged.path,
        },
        row,
        user,
        job,
      );
      await run.run();
      await this.release(importId);
    } catch (err) {
      // The host's interruption (stop, lost lease) resumes the job later: the import stays running.
      if (err instanceof Error && err.name === 'JobInterrupted') throw err;
      const message = err instanceof HttpError ? this.i18n.t('en', err.messageKey, err.params) : err instanceof Error ? err.message : String(err);
      await this.store.set(importId, { state: 'failed', finished_at: new Date(), error: { key: 'crm:import.job_failed', params: { message } } });
      await this.release(importId);
      throw err;
    }
  }

  async executeUndo(importId: number, job: JobContext<unknown> | null): Promise<void> {
    const row = await this.store.get(importId);
    if (!row || row.state === 'undone') return;
    const user = await this.actingUser(job?.userId ?? row.user_id);
    const io = (await this.catalog()).io;
    const result = await undoImport({ db: this.db, store: this.store, scope: this.scope, contacts: this.contacts, history: this.history, events: this.events, io }, importId, user, job);
    await this.store.set(importId, { state: 'undone', undo_result: result });
  }
}

/**
 * One import, run by its job: reads the staged file row by row (streamed), and per batch maps and
 * checks the rows, resolves names and duplicates with a few queries (while the batch before is
 * being written), then writes in ONE transaction the new contacts (multi-row INSERTs, ids from
 * the auto-increment), the updates of duplicates (through the contacts service, so history and
 * versions work as everywhere), the plugins' columns, the outcomes (created contacts as id
 * ranges), the counters, the line reached and the `contactsImported` event. Because the line commits with the rows, a
 * job resumed after a crash starts exactly after the last committed batch and never doubles a
 * contact. A dry run is the same pipeline without the writes.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { HttpError, type Contributed, type CurrentUser, type EventBus, type JobContext } from '../../../../host/api.js';
import { contactsImported, type Contact, type ContactInput, type ContactScope, type ContactsService, type FieldDefinition, type HistoryWriter, type IoColumn } from '../../api.js';
import { BulkInserter, preparedContactRows, type PreparedContact } from '../../services/bulk-rows.js';
import type { FieldsService } from '../../services/fields-service.js';
import type { CountryCode } from '../../services/normalize/channels.js';
import type { ImportRow as FileRow } from '../import-contract.js';
import { findExisting, keysOf, type Existing } from './duplicates.js';
import type { ImportFileReader } from './file-reader.js';
import type { Counters, ImportRow, ImportStore, OutcomeRow } from './import-store.js';
import { companyCellKeys, newCompanyKeys, UNKNOWN_COMPANY, type ReferenceResolver } from './references.js';
import { NAME_REQUIRED, RowMapper, isoDate, type Draft, type Reason } from './row-mapper.js';

export interface RunDeps {
  db: Sequelize;
  store: ImportStore;
  reader: ImportFileReader;
  scope: ContactScope;
  contacts: ContactsService;
  history: HistoryWriter;
  events: EventBus;
  fields: FieldsService;
  resolver: ReferenceResolver;
  io: Map<string, Contributed<IoColumn>>;
  /** The plugin column that takes `options.apply.tags`, when the tags plugin is enabled. */
  tagsColumn: string | null;
  defaultCountry: CountryCode;
  batchSize: number;
  filePath: string;
}

type Decided = { draft: Draft; decision: Decision };

/** A batch read and checked ahead, its duplicates being looked up. */
interface Ahead {
  rows: FileRow[];
  drafts: Draft[];
  existing: Promise<Existing>;
  /** Companies committed when the batch was checked (see `companiesCommitted`). */
  companiesBefore: number;
}

type Decision =
  | { outcome: 'failed'; reason: Reason }
  | { outcome: 'skipped'; reason: Reason; contactId: number | null }
  | { outcome: 'created' }
  | { outcome: 'updated'; contactId: number };

/** Batches of new contacts written at once on MariaDB (see `pass`). */
const WRITES_IN_FLIGHT = 2;

const zero = (): Counters => ({ processed: 0, created: 0, updated: 0, skipped: 0, failed: 0 });
const YES = new Set(['1', 'true', 'yes', 'y', 'tak', 't', 'да', 'так', 'x', '+', 'on']);
const NO = new Set(['0', 'false', 'no', 'n', 'nie', 'нет', 'ні', '-', 'off']);

/** A cell as the fields service expects a value of this type. */
function customValue(field: FieldDefinition, raw: unknown): unknown {
  const text = Array.isArray(raw) ? raw.join(';') : String(raw);
  switch (field.type) {
    case 'multi_select':
      return text.split(/[;,|]/).map((s) => s.trim()).filter(Boolean);
    case 'checkbox':
      return YES.has(text.toLowerCase()) ? true : NO.has(text.toLowerCase()) ? false : text;
    case 'date':
      return isoDate(text) ?? text;
    case 'number':
    case 'money':
      return text.replace(/[\s\u00a0]/g, '');
    default:
      return text;
  }
}

export class ImportRun {
  private readonly mapper: RowMapper;
  private readonly inserter: BulkInserter;
  /** Keys of the rows taken so far in this run ("email:jan@x.pl" -> line and contact), for duplicates within the file. */
  private readonly seen = new Map<string, { line: number; contactId: number | null }>();
  private fieldsByKey = new Map<string, FieldDefinition>();
  private requiredFields: FieldDefinition[] = [];
  /** The table rows of drafts checked for a live pass (see `check`); dropped with their drafts. */
  private readonly rowsOf = new WeakMap<Draft, PreparedContact>();
  /**
   * Companies committed so far: a batch checked before the last commit may name one of them.
   * Counted once committed, not once written: a batch checked in between could not see them.
   */
  private companiesCommitted = 0;
  /**
   * Companies the file creates, by what a company cell may name them ("name:…", see
   * references.ts), with the line creating each: a later row may name one before it is committed.
   */
  private readonly announced = new Map<string, number>();

  constructor(
    private readonly deps: RunDeps,
    private record: ImportRow,
    private readonly user: CurrentUser,
    private readonly job: JobContext<unknown> | null,
  ) {
    this.mapper = new RowMapper({ headers: record.headers, mapping: record.mapping, defaultKind: record.options.kind, defaultCountry: deps.defaultCountry });
    this.inserter = new BulkInserter(deps.db);
  }

  private rows(): AsyncIterable<FileRow> {
    return this.deps.reader.rows(this.deps.filePath, { header: true, encoding: 'utf-8', delimiter: ',', ...this.record.options.read } as never, this.record.format);
  }

  /** Runs (or resumes) the import to its end; returns the final record. */
  async run(): Promise<void> {
    const { store } = this.deps;
    const id = this.record.id;
    const all = await this.deps.fields.all();
    this.fieldsByKey = new Map(all.map((f) => [f.key, f]));
    this.requiredFields = all.filter((f) => f.required);
    await store.set(id, { state: 'running' });

    // Nothing half-imported: unless valid rows are to be kept, every row is checked before the
    // first write. The check commits no line, so a check cut short by a crash simply runs again.
    if (!this.record.dry_run && !this.record.options.keep_valid && this.record.line === 0) {
      await store.clearOutcomes(id);
      const checked = await this.pass('check');
      if (checked === null) return this.finish('cancelled');
      if (checked.failed > 0) {
        await store.set(id, { processed: checked.processed, failed: checked.failed, created: 0, updated: 0, skipped: 0, line: 0 });
        return this.finish('failed', { key: 'crm:import.rows_invalid', params: { count: checked.failed } });
      }
      await store.clearOutcomes(id);
      this.seen.clear();
      this.announced.clear();
    }
    const result = await this.pass(this.record.dry_run ? 'dry' : 'live');
    return this.finish(result === null ? 'cancelled' : 'done');
  }

  private async finish(state: 'done' | 'failed' | 'cancelled', error?: Reason): Promise<void> {
    await this.deps.store.set(this.record.id, { state, finished_at: new Date(), ...(error ? { error } : {}) });
  }

  /**
   * Goes through the file after the committed line. `live` writes; `dry` counts without writing
   * contacts (outcomes and counters are kept, for the report and the failed rows file); `check`
   * only finds the failed rows (their outcomes are kept) and commits no progress. Returns the
   * pass's counts, or null when cancelled.
   *
   * The next batch is read and checked while the current one's duplicates are looked up, and
   * while the batches before are written (a row cut from the current batch, see `decideAll`, sends
   * the batch read ahead back to be read and checked again after it). On MariaDB a
   * batch that only adds contacts is also written while the one before is still being written,
   * each in its own transaction on its own connection, and commits only after it (so the line
   * committed is always that of a whole prefix of the file): the database then uses a second
   * core while this process checks rows. A batch that updates contacts, names companies or has
   * plugin columns waits for every write before it, as does a row that duplicates one not yet
   * written. A cancel is noticed after a commit, so the import stops exactly at a batch boundary.
   */
  private async pass(mode: 'check' | 'dry' | 'live'): Promise<Counters | null> {
    const from = this.record.line;
    const depth = this.deps.db.getDialect() === 'sqlite' ? 1 : WRITES_IN_FLIGHT;
    const total = zero();
    const source = this.rows()[Symbol.asyncIterator]();
    let carry: FileRow[] = [];
    let ended = false;
    const take = async (): Promise<FileRow[]> => {
      const rows = carry;
      carry = [];
      while (!ended && rows.length < this.deps.batchSize) {
        const next = await source.next();
        if (next.done) ended = true;
        else if (next.value.line > from) rows.push(next.value);
      }
      return rows;
    };
    /** Batches being written, oldest first; each commits after the one before it. */
    const writing: Array<Promise<void>> = [];
    /** Waits until fewer than `room` batches are being written; false when the import has been cancelled meanwhile. */
    const settle = async (room = 1): Promise<boolean> => {
      let waited = false;
      while (writing.length >= room) {
        await writing.shift();
        waited = true;
        await this.job?.progress(mode === 'check' ? total.processed : this.record.processed, this.record.total);
      }
      return !(waited && this.job && (await this.job.cancelled()));
    };
    /**
     * Reads and checks a batch and starts its duplicate lookup, which is not awaited: the database
     * answers it while this process reads and checks the batch after it.
     */
    const ahead = async (): Promise<Ahead | null> => {
      const rows = await take();
      if (!rows.length) return null;
      const companiesBefore = this.companiesCommitted;
      const drafts = await this.check(rows, mode === 'live');
      const existing = this.lookup(drafts);
      // Awaited below; until then a failure must not count as unhandled.
      existing.catch(() => undefined);
      return { rows, drafts, existing, companiesBefore };
    };
    try {
      let current = await ahead();
      while (current) {
        const { rows, companiesBefore } = current;
        let following = await ahead();
        let { drafts } = current;
        let existing = await current.existing;
        const namesCompanies = drafts.some((d) => d.refs.company);
        let checkedWith = companiesBefore;
        /** A company committed since the batch was checked can be named by it: look again. */
        const checkAgain = async () => {
          if (this.companiesCommitted === checkedWith || !namesCompanies) return;
          checkedWith = this.companiesCommitted;
          drafts = await this.check(rows, mode === 'live');
          existing = await this.lookup(drafts);
        };
        if (!(await settle(namesCompanies ? 1 : depth))) return null;
        await checkAgain();
        let { decided, rest } = this.decideAll(rows, drafts, existing, mode !== 'live');
        if (!decided.length) {
          // The first row names a contact or company still being written: decide once every write is done.
          if (!(await settle())) return null;
          await checkAgain();
          // Everything before is committed now: a company still not found will not come (the row
          // creating it failed, or the user may not see it).
          for (const d of drafts) {
            if (!d.awaitsCompany) continue;
            d.awaitsCompany = false;
            d.error ??= { key: UNKNOWN_COMPANY, params: { value: d.refs.company!.value }, column: d.refs.company!.column };
          }
          ({ decided, rest } = this.decideAll(rows, drafts, existing, mode !== 'live'));
          if (!decided.length) throw new Error(`Line ${rows[0]!.line} waits for a contact that no batch writes`);
        }
        if (!this.onlyAdds(decided) && !(await settle())) return null;
        const w: Promise<void> = this.commit(decided, mode, total, writing.at(-1) ?? null);
        // Awaited by settle(); until then a failure must not count as unhandled.
        w.catch(() => undefined);
        writing.push(w);
        if (rest.length) {
          // Rows after a cut come before the batch read ahead: it is read and checked again after them.
          carry = following ? [...rest, ...following.rows] : rest;
          following = await ahead();
        }
        current = following;
      }
      return (await settle()) ? total : null;
    } finally {
      for (const w of writing) await w.catch(() => undefined);
      await source.return?.();
    }
  }

  /**
   * Maps and checks a batch's rows, resolving references, custom values and plugin columns. For a
   * live pass it also derives each valid row's table rows (`rowsOf`) here, while the batch before
   * is being written, instead of in the write itself, which the next batch waits for.
   */
  private async check(rows: FileRow[], live = false): Promise<Draft[]> {
    const drafts = rows.map((r) => this.mapper.map(r));
    const apply = this.record.options.apply;
    const companies = await this.deps.resolver.companies(drafts.flatMap((d) => (!d.error && d.refs.company ? [d.refs.company.value] : [])));
    for (const d of drafts) {
      if (d.error || !d.prepared) continue;
      const s = d.prepared.scalars;
      const fail = (reason: Reason, column?: string) => {
        d.error ??= { ...reason, column };
      };
      for (const name of ['status', 'category', 'client_type', 'source'] as const) {
        const ref = d.refs[name];
        if (!ref) continue;
        const found = this.deps.resolver.dictionary(name, ref.value);
        if (typeof found === 'number') s[`${name}_id`] = found;
        else fail(found, ref.column);
      }
      if (d.refs.responsible) {
        const found = await this.deps.resolver.responsible(d.refs.responsible.value);
        if (typeof found === 'number') s.responsible_id = found;
        else fail(found, d.refs.responsible.column);
      }
      if (d.refs.company) {
        const found = companies.get(d.refs.company.value)!;
        d.awaitsCompany = false;
        if (typeof found === 'number') s.company_id = found;
        else if (found.key === UNKNOWN_COMPANY && this.createdEarlier(d.refs.company.value, d.line)) d.awaitsCompany = true;
        else fail(found, d.refs.company.column);
      }
      // Values for every imported contact fill what the row leaves empty.
      if (apply.status_id && s.status_id == null) s.status_id = apply.status_id;
      if (apply.responsible_id && s.responsible_id == null) s.responsible_id = apply.responsible_id;
      if (apply.class_id) s.class_id = apply.class_id;
      const custom = Object.entries(d.custom);
      if (custom.length && !d.error) {
        const input = Object.fromEntries(custom.map(([key, c]) => [key, customValue(this.fieldsByKey.get(key)!, c.value)]));
        const { values, errors } = await this.deps.fields.validate(input, { requireAll: false, defaultCountry: this.deps.defaultCountry });
        if (errors.length) {
          const e = errors[0]!;
          fail({ key: e.message, params: e.params }, d.custom[e.field.slice(7)]?.column);
        } else d.prepared.custom = values;
      }
      for (const cell of d.io) {
        if (d.error) break;
        const problem = (await this.deps.io.get(cell.target)?.validate?.(cell.value)) ?? null;
        if (problem) fail({ key: problem, params: { value: cell.value } }, cell.column);
      }
      if (d.kind === 'company' && !d.error) for (const key of this.announces(d)) this.announced.set(key, d.line);
    }
    if (live) {
      // One time for the batch: the bulk writer tells its rows apart by creator and time.
      const now = new Date();
      for (const d of drafts) if (!d.error && d.prepared) this.rowsOf.set(d, this.contactRows(d, now));
    }
    return drafts;
  }

  private contactRows(draft: Draft, createdAt: Date): PreparedContact {
    return preparedContactRows(draft.kind, draft.prepared!, {
      field: (key) => this.fieldsByKey.get(key),
      createdBy: this.user.id,
      createdAt,
      historyAction: 'import',
      externalId: draft.externalId,
    });
  }

  /** Whether a row before `line` creates a company that `value` names. */
  private createdEarlier(value: string, line: number): boolean {
    return companyCellKeys(value).some((key) => (this.announced.get(key) ?? Infinity) < line);
  }

  /** What a company row announces; nothing when no column of the file names companies. */
  private announces(d: Draft): string[] {
    if (!this.record.mapping.includes('company')) return [];
    const taxIds = (d.prepared?.channels.tax_ids ?? []).map((t) => t.normalized);
    return newCompanyKeys({ externalId: d.externalId, taxIds, name: (d.prepared?.scalars.company_name as string | undefined) ?? null });
  }

  /** A company row that creates no company after all takes back what it announced. */
  private withdraw(d: Draft): void {
    for (const key of this.announces(d)) if (this.announced.get(key) === d.line) this.announced.delete(key);
  }

  /** Create, update, skip or fail: duplicates by the chosen keys, in the base and earlier in the file. */
  private decide(d: Draft, existing: Existing, dry: boolean): Decision | 'cut' {
    if (d.error) return { outcome: 'failed', reason: d.error };
    if (d.awaitsCompany) {
      const ref = d.refs.company!;
      // The row that was to create the company created none.
      if (!this.createdEarlier(ref.value, d.line)) return { outcome: 'failed', reason: { key: UNKNOWN_COMPANY, params: { value: ref.value }, column: ref.column } };
      // Its company is written by a batch not committed yet: the row is checked again once it is.
      // A dry run writes no company and counts the row as it would go.
      if (!dry) return 'cut';
    }
    const { dedupe_keys: keys, on_duplicate: policy } = this.record.options;
    const own = policy === 'create' ? [] : keysOf(d, keys);
    for (const k of own) {
      const earlier = this.seen.get(k);
      if (!earlier) continue;
      if (policy === 'skip') return { outcome: 'skipped', reason: { key: 'crm:import.reason.duplicate_in_file', params: { line: earlier.line } }, contactId: earlier.contactId };
      if (earlier.contactId !== null) return { outcome: 'updated', contactId: earlier.contactId };
      // The earlier row is created in this very batch, or in one still being written: it must be
      // written before this one can update it.
      if (!dry) return 'cut';
      return { outcome: 'updated', contactId: 0 };
    }
    for (const k of own) {
      const id = existing.byKey.get(k);
      if (id === undefined) continue;
      const key = k.slice(0, k.indexOf(':'));
      const value = k.slice(key.length + 1);
      // Safe side: a contact the user may not see is neither changed nor doubled, and not shown.
      if (!existing.visible.has(id)) return { outcome: 'skipped', reason: { key: 'crm:import.reason.duplicate_hidden', params: { key, value } }, contactId: null };
      if (policy === 'skip') return { outcome: 'skipped', reason: { key: 'crm:import.reason.duplicate', params: { key, value, id } }, contactId: id };
      return { outcome: 'updated', contactId: id };
    }
    if (!d.hasName) return { outcome: 'failed', reason: NAME_REQUIRED };
    const missing = this.requiredFields.find((f) => d.prepared!.custom?.[f.key] == null);
    if (missing) return { outcome: 'failed', reason: { key: 'crm:import.reason.required_field', params: { field: missing.labels.en ?? missing.key } } };
    return { outcome: 'created' };
  }

  private lookup(drafts: Draft[]): Promise<Existing> {
    const { options } = this.record;
    if (options.on_duplicate === 'create') return Promise.resolve({ byKey: new Map(), visible: new Set<number>() });
    return findExisting(this.deps.db, this.deps.scope, this.user, options.dedupe_keys, drafts.filter((d) => !d.error));
  }

  /** Every row's decision in file order; a row that must wait for one created before it and not yet written ends the batch there. */
  private decideAll(rows: FileRow[], drafts: Draft[], existing: Existing, dry: boolean): { decided: Decided[]; rest: FileRow[] } {
    const { options } = this.record;
    const decided: Decided[] = [];
    for (const [i, draft] of drafts.entries()) {
      const decision = this.decide(draft, existing, dry);
      if (decision === 'cut') return { decided, rest: rows.slice(i) };
      decided.push({ draft, decision });
      if (draft.kind === 'company' && decision.outcome !== 'created') this.withdraw(draft);
      if (decision.outcome === 'created' || decision.outcome === 'updated') {
        for (const k of keysOf(draft, options.dedupe_keys)) if (!this.seen.has(k)) this.seen.set(k, { line: draft.line, contactId: decision.outcome === 'updated' ? decision.contactId || null : null });
      }
    }
    return { decided, rest: [] };
  }

  /** Whether a batch only adds contacts (and outcomes): nothing it writes can wait on a batch before it. */
  private onlyAdds(decided: Decided[]): boolean {
    if (this.record.options.apply.tags?.length) return false;
    return decided.every(({ draft, decision }) => decision.outcome !== 'updated' && !draft.io.length);
  }

  /**
   * One batch's outcomes (and in a live pass its contacts) with the counters and the line reached,
   * in one transaction, committed after the batch `before` it (still being written, or null).
   */
  private async commit(decided: Decided[], mode: 'check' | 'dry' | 'live', total: Counters, before: Promise<void> | null): Promise<void> {
    const counters = zero();
    const lastLine = decided.at(-1)?.draft.line ?? this.record.line;
    const { db, store } = this.deps;
    if (mode !== 'live') {
      const failed: OutcomeRow[] = [];
      for (const { draft, decision } of decided) {
        counters.processed++;
        counters[decision.outcome]++;
        if (decision.outcome === 'failed') failed.push(this.outcome(draft, decision, null, null));
      }
      await db.transaction(async (transaction) => {
        await before;
        await store.writeOutcomes(this.record.id, failed, transaction);
        if (mode === 'dry') await store.advance(this.record.id, counters, lastLine, transaction);
      });
    } else {
      await db.transaction(async (transaction) => {
        const { outcomes, createdIds, updatedIds } = await this.write(decided, transaction, counters);
        // A failure of the batch before rolls this one back too: the committed line stays a prefix.
        // The import's own rows only after it: they lock the import's record, which it updates.
        await before;
        await store.writeOutcomes(this.record.id, outcomes, transaction);
        await store.advance(this.record.id, counters, lastLine, transaction);
        if (createdIds.length || updatedIds.length) {
          // Inside the batch's transaction: a handler's failure undoes the batch, never half of it.
          await this.deps.events.emit(contactsImported, { importId: this.record.id, createdIds, updatedIds, userId: this.user.id, transaction }, { rethrow: true });
        }
      });
      this.companiesCommitted += decided.filter(({ draft, decision }) => decision.outcome === 'created' && draft.kind === 'company').length;
    }
    for (const k of Object.keys(total) as Array<keyof Counters>) total[k] += counters[k];
    if (mode === 'check') return;
    this.record.line = lastLine;
    this.record.processed += counters.processed;
  }

  private outcome(d: Draft, decision: Decision, contactId: number | null, undo: OutcomeRow['undo']): OutcomeRow {
    return {
      line: d.line,
      outcome: decision.outcome,
      contactId: contactId ?? ('contactId' in decision ? decision.contactId || null : null),
      reason: 'reason' in decision ? decision.reason : null,
      cells: decision.outcome === 'failed' ? d.cells : null,
      undo,
    };
  }

  /**
   * The writes of one batch inside its transaction: updates one by one through the contacts
   * service, then every new contact at once. Created contacts are recorded as id ranges (one
   * outcome row per INSERT statement), the other rows one outcome each.
   */
  private async write(decided: Decided[], transaction: Transaction, counters: Counters): Promise<{ outcomes: OutcomeRow[]; createdIds: number[]; updatedIds: number[] }> {
    const outcomes: OutcomeRow[] = [];
    const created: Array<{ draft: Draft; rows: PreparedContact }> = [];
    const updatedIds: number[] = [];
    const updatedUndo = new Map<number, NonNullable<OutcomeRow['undo']>>();
    const applied = new Map<string, Array<{ contactId: number; value: string }>>();
    // Pushed, not copied: a batch's cells of one column would otherwise be copied once per row.
    const applyTo = (target: string, cell: { contactId: number; value: string }) => {
      const cells = applied.get(target);
      if (cells) cells.push(cell);
      else applied.set(target, [cell]);
    };
    const applyIo = (d: Draft, contactId: number) => {
      for (const cell of d.io) applyTo(cell.target, { contactId, value: cell.value });
      const tags = this.record.options.apply.tags;
      if (tags?.length && this.deps.tagsColumn) applyTo(this.deps.tagsColumn, { contactId, value: tags.join(', ') });
    };
    const now = new Date();
    for (const { draft, decision } of decided) {
      counters.processed++;
      if (decision.outcome === 'created') {
        created.push({ draft, rows: this.rowsOf.get(draft) ?? this.contactRows(draft, now) });
      } else if (decision.outcome === 'updated') {
        const result = await this.update(draft, decision.contactId, transaction);
        if ('reason' in result) {
          counters.skipped++;
          outcomes.push(this.outcome(draft, { outcome: 'skipped', reason: result.reason, contactId: decision.contactId }, null, null));
        } else {
          counters.updated++;
          updatedIds.push(decision.contactId);
          applyIo(draft, decision.contactId);
          updatedUndo.set(decision.contactId, result.undo);
          outcomes.push(this.outcome(draft, decision, decision.contactId, result.undo));
        }
      } else {
        counters[decision.outcome]++;
        outcomes.push(this.outcome(draft, decision, null, null));
      }
    }
    let createdIds: number[] = [];
    if (created.length) {
      const { ids, ranges } = await this.inserter.createContacts(
        created.map(({ draft, rows }) => ({ rows, companyId: (draft.prepared!.scalars.company_id as number | undefined) ?? null, buyerId: null })),
        transaction,
      );
      createdIds = ids;
      created.forEach(({ draft }, k) => {
        for (const key of keysOf(draft, this.record.options.dedupe_keys)) {
          const seen = this.seen.get(key);
          if (seen?.line === draft.line) seen.contactId = ids[k]!;
        }
        applyIo(draft, ids[k]!);
      });
      // History through the one history writer: an "import" entry naming the import (the History tab links it).
      await this.deps.history.record(created.map((c, k) => ({ contactId: ids[k]!, action: 'import', newValue: { import_id: this.record.id, file: this.record.file_name } })), this.user.id, transaction);
      let k = 0;
      for (const r of ranges) {
        outcomes.push({ line: created[k]!.draft.line, outcome: 'created', contactId: r.first, lastContactId: r.last, reason: null, cells: null, undo: null });
        k += r.last - r.first + 1;
      }
      counters.created += created.length;
    }
    for (const [target, rows] of applied) {
      const changes = await this.deps.io.get(target)?.apply?.(rows, { userId: this.user.id, transaction });
      // What a plugin column changed on updated contacts goes with their undo (the outcome rows are written after this).
      for (const [contactId, data] of changes ?? []) {
        const undo = updatedUndo.get(contactId);
        if (undo) undo.io = { ...undo.io, [target]: data };
      }
    }
    return { outcomes, createdIds, updatedIds };
  }

  /**
   * An update of an existing contact through the contacts service (its checks, history and
   * version), in a savepoint so a refused update leaves the batch intact. Values in the file
   * replace the contact's; channels and addresses are added to the contact's own, never dropped.
   */
  private async update(d: Draft, contactId: number, transaction: Transaction): Promise<{ undo: NonNullable<OutcomeRow['undo']> } | { reason: Reason }> {
    try {
      return await this.deps.db.transaction({ transaction }, async () => {
        const before = await this.deps.contacts.get(this.user, contactId);
        const input = this.updateInput(d, before);
        const after = await this.deps.contacts.update(this.user, contactId, input, before.version, { transaction });
        const old: Record<string, unknown> = {};
        for (const key of Object.keys(input) as Array<keyof ContactInput>) {
          if (key === 'custom') {
            const changed = Object.keys(input.custom ?? {}).filter((k) => JSON.stringify(before.custom[k] ?? null) !== JSON.stringify(after.custom[k] ?? null));
            if (changed.length) old.custom = Object.fromEntries(changed.map((k) => [k, before.custom[k] ?? null]));
          } else if (JSON.stringify(before[key as keyof Contact]) !== JSON.stringify(after[key as keyof Contact])) old[key] = before[key as keyof Contact];
        }
        return { undo: { version: after.version, old } };
      });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 404) return { reason: { key: 'crm:import.reason.duplicate_hidden', params: {} } };
      if (err.status === 403) return { reason: { key: 'crm:import.reason.not_editable', params: { id: contactId } } };
      const detail = Array.isArray(err.details) ? err.details[0] : undefined;
      return { reason: { key: detail?.message ?? err.messageKey, params: detail?.params ?? err.params } };
    }
  }

  private updateInput(d: Draft, before: Contact): ContactInput {
    const p = d.prepared!;
    const input: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p.scalars)) if (v !== null && v !== undefined && k !== 'class_id') input[k] = v;
    if (this.record.options.apply.class_id) input.class_id = this.record.options.apply.class_id;
    if (d.kind !== before.kind && d.input.kind === undefined && this.record.mapping.includes('kind')) input.kind = d.kind;
    const add = <T>(field: keyof Contact, mine: T[] | undefined) => {
      if (mine?.length) input[field] = [...(before[field] as T[]), ...mine];
    };
    add('emails', d.input.emails?.map((e) => ({ value: e.value })));
    add('phones', d.input.phones?.map((e) => ({ value: e.value })));
    add('websites', d.input.websites?.map((e) => ({ value: e.value })));
    add('domains', d.input.domains);
    add('messengers', d.input.messengers);
    add('tax_ids', d.input.tax_ids);
    for (const field of ['emails', 'phones', 'websites'] as const) {
      if (input[field]) input[field] = (input[field] as Array<Record<string, unknown>>).map((c) => ({ value: c.value, ...(c.label ? { label: c.label } : {}), ...(c.primary ? { primary: true } : {}), ...(c.consent ? { consent: true } : {}) }));
    }
    const address = p.addresses?.[0];
    if (address && !before.addresses.some((a) => JSON.stringify({ ...a, label: null }) === JSON.stringify({ ...address, label: null }))) {
      input.addresses = [...before.addresses, address].slice(-10);
    }
    if (p.custom && Object.keys(p.custom).length) input.custom = p.custom;
    return input as ContactInput;
  }
}

/**
 * Contacts written in bulk (the demo seeder, imports): the rows of one contact in every CRM table
 * derived exactly as the contacts service derives them (display name, sort key, search terms,
 * channel flags, typed custom-value columns), and multi-row INSERTs of many contacts at once.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ContactKind, FieldType } from '../api.js';
import type { PreparedInput } from './contact-input.js';
import { valueColumn } from './fields-service.js';
import { displayName, nameKey, searchTerms } from './normalize/text.js';

export type Value = string | number | boolean | Date | null;
export type Row = Value[];

export const CONTACT_COLUMNS = [
  'id', 'kind', 'display_name', 'name_key', 'first_name', 'middle_name', 'last_name', 'company_name', 'job_title', 'company_id',
  'buyer_id', 'status_id', 'category_id', 'client_type_id', 'source_id', 'class_id', 'responsible_id', 'is_staff', 'user_id',
  'birthday', 'comment', 'photo', 'has_email', 'has_phone', 'version', 'created_by', 'deleted_at', 'merged_into_id', 'created_at',
  'updated_at', 'external_id',
];
export const CHANNEL_COLUMNS = ['contact_id', 'type', 'subtype', 'value', 'normalized', 'is_primary', 'consent', 'sort'];
export const ADDRESS_COLUMNS = ['contact_id', 'label', 'country', 'region', 'city', 'zip', 'street', 'sort'];
export const TERM_COLUMNS = ['term', 'contact_id', 'name_key'];
export const VALUE_COLUMNS = ['contact_id', 'field_id', 'value_text', 'value_number', 'value_date', 'value_long'];
export const HISTORY_COLUMNS = ['contact_id', 'user_id', 'action', 'field', 'old_value', 'new_value', 'created_at'];
/** Where company_id and buyer_id sit in a contact row. */
export const COMPANY_ID = CONTACT_COLUMNS.indexOf('company_id');
export const BUYER_ID = CONTACT_COLUMNS.indexOf('buyer_id');

/** Characters MariaDB's (and, of them, SQLite's) string escaping changes. */
// eslint-disable-next-line no-control-regex -- these control characters are exactly what must be escaped
const NEEDS_ESCAPE = /[\0\n\r\b\t\\'"\x1a]/;

/** Rows per INSERT statement: keeps each statement well under MySQL's default max_allowed_packet. */
const ROWS_PER_STATEMENT = 2000;

/** One contact's rows with the contact's own id left out (the first cell of each row is filled in at commit). */
export interface PreparedContact {
  contact: Row;
  channels: Row[];
  addresses: Row[];
  terms: Row[];
  values: Row[];
  history: Row;
}

/** All rows of many contacts, ids filled in, ready for `BulkInserter.writeContacts`. */
export interface ContactTables {
  contacts: Row[];
  channels: Row[];
  addresses: Row[];
  terms: Row[];
  values: Row[];
  history: Row[];
}

export const emptyTables = (): ContactTables => ({ contacts: [], channels: [], addresses: [], terms: [], values: [], history: [] });

/** Puts one prepared contact into the tables under its id. */
export function addContact(tables: ContactTables, c: PreparedContact, id: number, companyId: number | null, buyerId: number | null): void {
  const row = [...c.contact];
  row[0] = id;
  row[COMPANY_ID] = companyId;
  row[BUYER_ID] = buyerId;
  tables.contacts.push(row);
  for (const r of c.channels) tables.channels.push([id, ...r.slice(1)]);
  for (const r of c.addresses) tables.addresses.push([id, ...r.slice(1)]);
  for (const r of c.terms) tables.terms.push([r[0]!, id, r[2]!]);
  for (const r of c.values) tables.values.push([id, ...r.slice(1)]);
  tables.history.push([id, ...c.history.slice(1)]);
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const num = (v: unknown): number | null => (v === undefined || v === null ? null : Number(v));

export interface ContactRowsOptions {
  /** Custom fields by key (only their id and type are used). */
  field(key: string): { id: number; type: FieldType } | undefined;
  createdBy: number | null;
  createdAt: Date;
  /** The history entry's action: "create" for the seeder, "import" for imports. */
  historyAction: string;
  externalId?: string | null;
}

/** The rows of one new contact from a prepared (normalized, valid) input. */
export function preparedContactRows(kind: ContactKind, prepared: PreparedInput, options: ContactRowsOptions): PreparedContact {
  const s = prepared.scalars;
  const names = { kind, first_name: str(s.first_name), middle_name: str(s.middle_name), last_name: str(s.last_name), company_name: str(s.company_name) };
  const display = displayName(names).slice(0, 190);
  const channels = Object.values(prepared.channels).flatMap((list) => list.map((c, sort) => [0, c.type, c.subtype, c.value, c.normalized, c.is_primary, c.consent, sort] as Row));
  const values: Row[] = [];
  for (const [key, raw] of Object.entries(prepared.custom ?? {})) {
    const field = options.field(key);
    if (!field || raw === null || raw === undefined) continue;
    const column = valueColumn(field.type);
    for (const one of Array.isArray(raw) ? raw : [raw]) {
      const value =
        field.type === 'money' ? Math.round(Number(one) * 100) / 100 : typeof one === 'boolean' ? (one ? 1 : 0) : column === 'value_number' ? Number(one) : String(one);
      values.push([0, field.id, ...VALUE_COLUMNS.slice(2).map((c) => (c === column ? value : null))]);
    }
  }
  const types = new Set(channels.map((c) => c[1]));
  const at = options.createdAt;
  const key = nameKey(display);
  return {
    contact: [
      0, kind, display, key, names.first_name, names.middle_name, names.last_name, names.company_name,
      str(s.job_title), null, null, num(s.status_id), num(s.category_id), num(s.client_type_id), num(s.source_id),
      num(s.class_id), num(s.responsible_id), false, null, str(s.birthday), str(s.comment), null, types.has('email'), types.has('phone'), 1,
      options.createdBy, null, null, at, at, options.externalId ?? null,
    ],
    channels,
    addresses: (prepared.addresses ?? []).map((a, sort) => [0, a.label ?? null, a.country ?? null, a.region ?? null, a.city ?? null, a.zip ?? null, a.street ?? null, sort]),
    terms: searchTerms(names.first_name, names.middle_name, names.last_name, names.company_name).map((term) => [term, 0, key]),
    values,
    history: [0, options.createdBy, options.historyAction, null, null, JSON.stringify(display), at],
  };
}

/** The drivers' connections as Sequelize holds them in a transaction (mysql2, sqlite3). */
interface MysqlConnection {
  query(sql: string, callback: (err: Error | null, result?: { insertId?: number; affectedRows?: number }) => void): void;
}
interface SqliteDatabase {
  run(sql: string, callback: (this: { lastID: number; changes: number }, err: Error | null) => void): void;
}

/** Contacts created by one multi-row INSERT: ids `first`..`last`, in the order of the rows given. */
export interface IdRange {
  first: number;
  last: number;
}

/** Multi-row INSERTs on either dialect, values escaped by the driver's own escaping. */
export class BulkInserter {
  readonly mysql: boolean;
  /** The last Date escaped: a batch's rows share one or two timestamps, and escaping a Date goes through moment. */
  private lastDate: { time: number; sql: string } | null = null;
  private autoincMode: Promise<number> | null = null;

  constructor(private readonly db: Sequelize) {
    this.mysql = db.getDialect() !== 'sqlite';
  }

  private esc(v: Value): string {
    if (v === null) return 'NULL';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
    if (typeof v === 'boolean') return v ? '1' : '0';
    if (v instanceof Date) {
      const time = v.getTime();
      if (this.lastDate?.time !== time) this.lastDate = { time, sql: this.db.escape(v) };
      return this.lastDate.sql;
    }
    // Most values need no escaping: quoted as they are, exactly as the escaping would give them.
    if (!NEEDS_ESCAPE.test(v)) return `'${v}'`;
    // SQLite ends a statement's text at a NUL: the character is put back with char(0).
    if (!this.mysql && v.includes('\0')) return v.split('\0').map((part) => this.db.escape(part)).join(' || char(0) || ');
    return this.db.escape(v);
  }

  /** One INSERT's text, built without an array per row (100,000 rows make a lot of garbage otherwise). */
  private statement(verb: string, table: string, columns: string[], rows: Row[], from = 0): string {
    let sql = `${verb} ${table} (${columns.join(',')}) VALUES `;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      sql += i ? ',(' : '(';
      for (let j = from; j < r.length; j++) sql += j > from ? `,${this.esc(r[j]!)}` : this.esc(r[j]!);
      sql += ')';
    }
    return sql;
  }

  async insert(table: string, columns: string[], rows: Row[], transaction: Transaction, ignore = false): Promise<void> {
    const verb = ignore ? (this.mysql ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO') : 'INSERT INTO';
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await this.execute(this.statement(verb, table, columns, rows.slice(i, i + ROWS_PER_STATEMENT)), transaction);
    }
  }

  /**
   * One INSERT on the transaction's own connection, straight to the driver. Sequelize's query
   * pipeline scans and copies the text of every statement (its kind, replacements, logging):
   * for statements of hundreds of kilobytes that was a tenth of an import's time. The values are
   * already escaped (`esc`) and the statement is complete, so nothing of that pipeline applies.
   */
  private execute(sql: string, transaction: Transaction): Promise<{ insertId: number; affected: number }> {
    const connection = (transaction as unknown as { connection?: unknown }).connection;
    if (!connection) throw new Error('BulkInserter needs a transaction with its connection');
    return new Promise((resolve, reject) => {
      if (this.mysql) {
        (connection as MysqlConnection).query(sql, (err, result) => (err ? reject(err) : resolve({ insertId: Number(result?.insertId ?? 0), affected: Number(result?.affectedRows ?? 0) })));
      } else {
        (connection as SqliteDatabase).run(sql, function (this: { lastID: number; changes: number }, err: Error | null) {
          if (err) reject(err);
          else resolve({ insertId: this.lastID, affected: this.changes });
        });
      }
    });
  }

  /**
   * New contacts with ids from the table's auto-increment (no lock on the end of the table, so
   * contacts created meanwhile elsewhere never collide with them), then their other rows. Each
   * statement's ids: SQLite numbers a statement's rows consecutively (writers are serialized);
   * InnoDB does too for a multi-row INSERT unless innodb_autoinc_lock_mode is 2 (interleaved),
   * where the statement's rows are read back in id order by their creator and timestamp, and a
   * count that does not match fails the batch rather than guess. Writes every table but history.
   * The prepared rows become this call's: their ids and company links are filled in place.
   */
  async createContacts(contacts: Array<{ rows: PreparedContact; companyId: number | null; buyerId: number | null }>, transaction: Transaction): Promise<{ ids: number[]; ranges: IdRange[] }> {
    const columns = CONTACT_COLUMNS.slice(1);
    const ranges: IdRange[] = [];
    const ids: number[] = [];
    for (let i = 0; i < contacts.length; i += ROWS_PER_STATEMENT) {
      // The prepared rows are this call's (see the doc comment): filled in place, not copied.
      const part = contacts.slice(i, i + ROWS_PER_STATEMENT).map(({ rows, companyId, buyerId }) => {
        rows.contact[COMPANY_ID] = companyId;
        rows.contact[BUYER_ID] = buyerId;
        return rows.contact;
      });
      const { insertId, affected } = await this.execute(this.statement('INSERT INTO', 'crm_contacts', columns, part, 1), transaction);
      if (affected !== part.length) throw new Error(`Inserted ${affected} contacts of ${part.length}`);
      // MariaDB gives the statement's first id, SQLite the last.
      const first = this.mysql ? insertId : insertId - part.length + 1;
      let mine: number[];
      if (this.mysql && (await this.lockMode()) === 2) {
        const at = part[0]![CONTACT_COLUMNS.indexOf('created_at')] as Date;
        const by = part[0]![CONTACT_COLUMNS.indexOf('created_by')] as number | null;
        const rows = await this.db.query<{ id: number }>(`SELECT id FROM crm_contacts WHERE id >= ? AND created_at = ? AND created_by <=> ? ORDER BY id LIMIT ${part.length + 1}`, {
          replacements: [first, at, by],
          type: QueryTypes.SELECT,
          transaction,
        });
        if (rows.length !== part.length) throw new Error(`Could not tell the ids of ${part.length} new contacts (found ${rows.length})`);
        mine = rows.map((r) => Number(r.id));
      } else mine = Array.from({ length: part.length }, (_, k) => first + k);
      ids.push(...mine);
      // Ranges of consecutive ids: one for the statement unless the ids were interleaved.
      for (const id of mine) {
        const last = ranges.at(-1);
        if (last && last.last === id - 1) last.last = id;
        else ranges.push({ first: id, last: id });
      }
    }
    const t = emptyTables();
    contacts.forEach(({ rows: c }, k) => {
      const id = ids[k]!;
      c.contact[0] = id;
      for (const r of c.channels) t.channels.push(((r[0] = id), r));
      for (const r of c.addresses) t.addresses.push(((r[0] = id), r));
      for (const r of c.terms) t.terms.push(((r[1] = id), r));
      for (const r of c.values) t.values.push(((r[0] = id), r));
    });
    // In the search terms' key order: the clustered index of InnoDB takes them page by page.
    t.terms.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : (a[1] as number) - (b[1] as number)));
    await this.ofNewContacts(transaction, async () => {
      await this.insert('crm_channels', CHANNEL_COLUMNS, t.channels, transaction);
      await this.insert('crm_addresses', ADDRESS_COLUMNS, t.addresses, transaction);
      await this.insert('crm_search_terms', TERM_COLUMNS, t.terms, transaction, true);
    });
    // Custom values also name their field, which someone may delete meanwhile: checked.
    await this.insert('crm_field_values', VALUE_COLUMNS, t.values, transaction);
    // History is the caller's: it goes through the history writer.
    return { ids, ranges };
  }

  private lockMode(): Promise<number> {
    this.autoincMode ??= this.db
      .query<{ m: number }>('SELECT @@innodb_autoinc_lock_mode AS m', { type: QueryTypes.SELECT })
      .then((rows) => Number(rows[0]?.m ?? 2))
      .catch(() => 2);
    return this.autoincMode;
  }

  /**
   * The first free contact id; FOR UPDATE (MariaDB) holds off concurrent inserts at the end of the
   * table until the commit, so the ids stay ours. SQLite serializes writers anyway.
   */
  async nextContactId(transaction: Transaction): Promise<number> {
    const [max] = await this.db.query(`SELECT MAX(id) AS m FROM crm_contacts${this.mysql ? ' FOR UPDATE' : ''}`, { transaction, raw: true });
    return Number((max as Array<{ m: number | null }>)[0]?.m ?? 0) + 1;
  }

  /**
   * Writes rows that reference only contacts this transaction has just created (channels,
   * addresses, search terms), with MariaDB's foreign key checks off for the connection meanwhile
   * and on again after, whether the writes succeed or not. Those keys hold by construction, and
   * checking each (a lookup and a shared lock on the contact's row, several rows per contact) was
   * about an eighth of the database's work in an import. SQLite writes as it is.
   */
  private async ofNewContacts(transaction: Transaction, write: () => Promise<void>): Promise<void> {
    if (!this.mysql) return write();
    await this.execute('SET foreign_key_checks = 0', transaction);
    try {
      await write();
    } finally {
      await this.execute('SET foreign_key_checks = 1', transaction);
    }
  }

  /** Writes every table's rows; returns how many rows that was. */
  async writeContacts(t: ContactTables, transaction: Transaction): Promise<number> {
    await this.insert('crm_contacts', CONTACT_COLUMNS, t.contacts, transaction);
    await this.ofNewContacts(transaction, async () => {
      await this.insert('crm_channels', CHANNEL_COLUMNS, t.channels, transaction);
      await this.insert('crm_addresses', ADDRESS_COLUMNS, t.addresses, transaction);
      // Terms equal under MariaDB's collation (rare) would collide on the primary key: one is enough.
      await this.insert('crm_search_terms', TERM_COLUMNS, t.terms, transaction, true);
    });
    await this.insert('crm_field_values', VALUE_COLUMNS, t.values, transaction);
    await this.insert('crm_history', HISTORY_COLUMNS, t.history, transaction);
    return t.contacts.length + t.channels.length + t.addresses.length + t.terms.length + t.values.length + t.history.length;
  }
}

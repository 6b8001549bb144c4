/**
 * Writes demo contacts in bulk for benchmarks (up to millions): multi-row INSERTs of about
 * 2,000 contacts per transaction straight into the CRM's tables, instead of one service call per
 * contact. Every stored value is derived exactly as the contacts service derives it: the input
 * goes through the same prepareContactInput (normalized channels, primary flags, dedupe), the
 * same displayName / foldText / searchTerms, the same custom-value columns, and a "create"
 * history entry.
 *
 * Two steps, so a caller can overlap them: `prepare` does the CPU work (normalizing, folding,
 * search terms) without ids; `commit` picks the ids and runs the INSERTs in one transaction.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { CurrentUser } from '../../../host/api.js';
import { prepareContactInput } from '../services/contact-input.js';
import { valueColumn } from '../services/fields-service.js';
import type { CountryCode } from '../services/normalize/channels.js';
import { displayName, foldText, searchTerms } from '../services/normalize/text.js';
import type { DemoFields } from './demo-fields.js';
import type { DemoContact, DemoUnit } from './generator.js';

type Value = string | number | boolean | Date | null;
type Row = Value[];

const CONTACT_COLUMNS = [
  'id', 'kind', 'display_name', 'name_key', 'first_name', 'middle_name', 'last_name', 'company_name', 'job_title', 'company_id',
  'buyer_id', 'status_id', 'category_id', 'client_type_id', 'source_id', 'class_id', 'responsible_id', 'is_staff', 'user_id',
  'birthday', 'comment', 'photo', 'has_email', 'has_phone', 'version', 'created_by', 'deleted_at', 'merged_into_id', 'created_at',
  'updated_at',
];
const CHANNEL_COLUMNS = ['contact_id', 'type', 'subtype', 'value', 'normalized', 'is_primary', 'consent', 'sort'];
const ADDRESS_COLUMNS = ['contact_id', 'label', 'country', 'region', 'city', 'zip', 'street', 'sort'];
const TERM_COLUMNS = ['term', 'contact_id'];
const VALUE_COLUMNS = ['contact_id', 'field_id', 'value_text', 'value_number', 'value_date', 'value_long'];
const HISTORY_COLUMNS = ['contact_id', 'user_id', 'action', 'field', 'old_value', 'new_value', 'created_at'];
/** Where company_id and buyer_id sit in a contact row. */
const COMPANY_ID = CONTACT_COLUMNS.indexOf('company_id');
const BUYER_ID = CONTACT_COLUMNS.indexOf('buyer_id');

/** Rows per INSERT statement: keeps each statement well under MySQL's default max_allowed_packet. */
const ROWS_PER_STATEMENT = 2000;
/** Contacts prepared between two yields to the event loop, so a commit in flight keeps moving. */
const YIELD_EVERY = 100;

/** One contact's rows with the contact's own id left out (the first cell of each row is filled in at commit). */
interface PreparedContact {
  contact: Row;
  channels: Row[];
  addresses: Row[];
  terms: Row[];
  values: Row[];
  history: Row;
}

export interface PreparedUnit {
  company: PreparedContact | null;
  buyerBack: number | null;
  people: PreparedContact[];
}

export interface BatchResult {
  contacts: number;
  /** Rows written in every table together. */
  rows: number;
  companyIds: number[];
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const num = (v: unknown): number | null => (v === undefined || v === null ? null : Number(v));
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

export class BulkContactWriter {
  private readonly mysql: boolean;
  /** Ids of the companies written so far, newest last: the payers that `buyerBack` points to. */
  private readonly companies: number[] = [];

  constructor(
    private readonly db: Sequelize,
    private readonly options: { user: CurrentUser; fields: DemoFields; defaultCountry: CountryCode },
  ) {
    this.mysql = db.getDialect() !== 'sqlite';
  }

  private esc(v: Value): string {
    if (v === null) return 'NULL';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
    if (typeof v === 'boolean') return v ? '1' : '0';
    return this.db.escape(v);
  }

  private async insert(table: string, columns: string[], rows: Row[], transaction: Transaction, ignore = false): Promise<void> {
    const verb = ignore ? (this.mysql ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO') : 'INSERT INTO';
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const values = rows.slice(i, i + ROWS_PER_STATEMENT).map((r) => `(${r.map((v) => this.esc(v)).join(',')})`);
      await this.db.query(`${verb} ${table} (${columns.join(',')}) VALUES ${values.join(',')}`, { transaction, raw: true });
    }
  }

  /** The rows of one contact, derived as the contacts service derives them. */
  private prepareContact(demo: DemoContact): PreparedContact {
    const { input, createdAt } = demo;
    const { prepared, errors } = prepareContactInput(input, input.kind, { creating: true, defaultCountry: this.options.defaultCountry });
    if (errors.length) throw new Error(`demo contact is invalid: ${JSON.stringify(errors)} in ${JSON.stringify(input)}`);
    const s = prepared.scalars;
    const names = {
      kind: input.kind,
      first_name: str(s.first_name),
      middle_name: str(s.middle_name),
      last_name: str(s.last_name),
      company_name: str(s.company_name),
    };
    const display = displayName(names).slice(0, 190);
    const channels = Object.values(prepared.channels).flatMap((list) => list.map((c, sort) => [0, c.type, c.subtype, c.value, c.normalized, c.is_primary, c.consent, sort] as Row));
    const values: Row[] = [];
    for (const [key, raw] of Object.entries(prepared.custom ?? {})) {
      const field = this.options.fields[key as keyof DemoFields];
      if (!field || raw === null || raw === undefined) continue;
      const column = valueColumn(field.type);
      const value = field.type === 'money' ? Math.round(Number(raw) * 100) / 100 : column === 'value_number' ? Number(raw) : String(raw);
      values.push([0, field.id, ...VALUE_COLUMNS.slice(2).map((c) => (c === column ? value : null))]);
    }
    const types = new Set(channels.map((c) => c[1]));
    return {
      contact: [
        0, input.kind, display, foldText(display).slice(0, 190), names.first_name, names.middle_name, names.last_name, names.company_name,
        str(s.job_title), null, null, num(s.status_id), num(s.category_id), num(s.client_type_id), num(s.source_id),
        null, num(s.responsible_id), false, null, str(s.birthday), str(s.comment), null, types.has('email'), types.has('phone'), 1,
        this.options.user.id, null, null, createdAt, createdAt,
      ],
      channels,
      addresses: (prepared.addresses ?? []).map((a, sort) => [0, a.label ?? null, a.country ?? null, a.region ?? null, a.city ?? null, a.zip ?? null, a.street ?? null, sort]),
      terms: searchTerms(names.first_name, names.middle_name, names.last_name, names.company_name).map((term) => [term, 0]),
      values,
      history: [0, this.options.user.id, 'create', null, null, JSON.stringify(display), createdAt],
    };
  }

  /** The CPU part: every row of the units, without ids. Yields now and then to let a commit run. */
  async prepare(units: DemoUnit[]): Promise<PreparedUnit[]> {
    const out: PreparedUnit[] = [];
    let done = 0;
    for (const unit of units) {
      out.push({ company: unit.company && this.prepareContact(unit.company), buyerBack: unit.buyerBack, people: unit.people.map((p) => this.prepareContact(p)) });
      done += unit.people.length + 1;
      if (done >= YIELD_EVERY) {
        done = 0;
        await pause();
      }
    }
    return out;
  }

  /** Picks the ids and writes prepared units in one transaction (a company never loses its employees to the next one). */
  async commit(units: PreparedUnit[]): Promise<BatchResult> {
    return this.db.transaction(async (transaction) => {
      // Ids are chosen here so employees can point at their company within the same statement;
      // FOR UPDATE holds off concurrent inserts at the end of the table until the commit.
      const [max] = await this.db.query(`SELECT MAX(id) AS m FROM crm_contacts${this.mysql ? ' FOR UPDATE' : ''}`, { transaction, raw: true });
      let next = Number((max as Array<{ m: number | null }>)[0]?.m ?? 0) + 1;
      const contacts: Row[] = [];
      const channels: Row[] = [];
      const addresses: Row[] = [];
      const terms: Row[] = [];
      const values: Row[] = [];
      const history: Row[] = [];
      const companyIds: number[] = [];
      const add = (c: PreparedContact, id: number, companyId: number | null, buyerId: number | null) => {
        const row = [...c.contact];
        row[0] = id;
        row[COMPANY_ID] = companyId;
        row[BUYER_ID] = buyerId;
        contacts.push(row);
        for (const r of c.channels) channels.push([id, ...r.slice(1)]);
        for (const r of c.addresses) addresses.push([id, ...r.slice(1)]);
        for (const r of c.terms) terms.push([r[0]!, id]);
        for (const r of c.values) values.push([id, ...r.slice(1)]);
        history.push([id, ...c.history.slice(1)]);
      };
      const ring = [...this.companies];
      for (const unit of units) {
        let companyId: number | null = null;
        if (unit.company) {
          companyId = next++;
          const back = unit.buyerBack ?? 0;
          add(unit.company, companyId, null, back > 0 && ring.length >= back ? ring[ring.length - back]! : null);
          companyIds.push(companyId);
          ring.push(companyId);
        }
        for (const person of unit.people) add(person, next++, companyId, null);
      }
      await this.insert('crm_contacts', CONTACT_COLUMNS, contacts, transaction);
      await this.insert('crm_channels', CHANNEL_COLUMNS, channels, transaction);
      await this.insert('crm_addresses', ADDRESS_COLUMNS, addresses, transaction);
      // Terms equal under MariaDB's collation (rare) would collide on the primary key: one is enough.
      await this.insert('crm_search_terms', TERM_COLUMNS, terms, transaction, true);
      await this.insert('crm_field_values', VALUE_COLUMNS, values, transaction);
      await this.insert('crm_history', HISTORY_COLUMNS, history, transaction);
      // Remembered only once written: a failed batch leaves no payer behind that does not exist.
      this.companies.splice(0, this.companies.length, ...ring.slice(-64));
      const rows = contacts.length + channels.length + addresses.length + terms.length + values.length + history.length;
      return { contacts: contacts.length, rows, companyIds };
    });
  }

  async write(units: DemoUnit[]): Promise<BatchResult> {
    return this.commit(await this.prepare(units));
  }
}

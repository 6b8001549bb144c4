/**
 * Reads the contacts of an export a page at a time, loading only what its columns read: the
 * contact row's fields they name, the channel types, addresses and custom values they show, with
 * plain queries on indexed columns (`crm_channels (contact_id, type, sort)`, `crm_addresses
 * (contact_id)`, `crm_field_values (contact_id, field_id)`) and plain rows (export-rows.ts). Dates
 * come as ISO text from the database itself. A page of 5,000 contacts through the contact loader
 * (every column, every channel, dates parsed into Date objects, other plugins' enrichers) cost
 * four times the work; a plugin's column still gets whole contacts from the loader, as everyone
 * else does.
 *
 * The ids are the access-scoped ids the query service resolved; fields a column did not ask for
 * stay empty in the contacts given to the cells.
 */
import type { Sequelize } from 'sequelize';
import type { Contact, ContactRowField, FieldDefinition } from '../api.js';
import type { ChannelRow, FieldValueRow } from '../models/crm-models.js';
import { channelLists, groupBy, type ChannelLists, type ContactLoader } from '../services/contact-loader.js';
import { putStoredValue, storedValue, type FieldsService } from '../services/fields-service.js';
import { rowSource, type RowSource } from './export-rows.js';

export type ChannelType = 'email' | 'phone' | 'messenger' | 'website' | 'domain' | 'tax_id';

/** Fields of a contact an export reads from its row, and their SQL over `crm_contacts c` (null: a date-time, as ISO text). */
const ROW_SQL: Record<ContactRowField, string | null> = {
  kind: 'c.kind',
  name: 'c.display_name',
  first_name: 'c.first_name',
  middle_name: 'c.middle_name',
  last_name: 'c.last_name',
  company_name: 'c.company_name',
  job_title: 'c.job_title',
  company_id: 'c.company_id',
  status_id: 'c.status_id',
  category_id: 'c.category_id',
  client_type_id: 'c.client_type_id',
  source_id: 'c.source_id',
  class_id: 'c.class_id',
  responsible_id: 'c.responsible_id',
  birthday: 'c.birthday',
  comment: 'c.comment',
  external_id: 'c.external_id',
  created_at: null,
  updated_at: null,
};

/** What a column reads of a contact. */
export interface ContactRead {
  fields?: ContactRowField[];
  channels?: ChannelType[];
  addresses?: boolean;
  /** Custom fields by key. */
  custom?: string[];
  /** The names of the companies people work at (looked up inside the access scope). */
  companies?: boolean;
  /** Whole contacts, as the contact loader gives them (plugins' columns). */
  everything?: boolean;
}

/** A date-time column as ISO 8601 text in UTC (the database keeps UTC). */
function isoSql(dialect: string, column: string): string {
  return dialect === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${column})` : `DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.000Z')`;
}

const NONE: never[] = [];
Object.freeze(NONE);

/** The page's ids as SQL: integers from the query service, checked, so they may be written into the statement. */
function idList(ids: number[]): string {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new Error(`Not a contact id: ${id}`);
  return ids.join(',');
}

/** Everything the columns read, together. */
export function mergeReads(reads: ContactRead[]): ContactRead {
  const all = <T>(pick: (r: ContactRead) => T[] | undefined) => [...new Set(reads.flatMap((r) => pick(r) ?? []))];
  return {
    fields: all((r) => r.fields),
    channels: all((r) => r.channels),
    addresses: reads.some((r) => r.addresses),
    custom: all((r) => r.custom),
    companies: reads.some((r) => r.companies),
    everything: reads.some((r) => r.everything),
  };
}

type Custom = Contact['custom'];

export class ExportReader {
  private readonly select: string;
  private readonly source: RowSource;
  /** The custom fields read, by id; loaded with the first page. */
  private customFields: Map<number, FieldDefinition> | null = null;

  constructor(
    db: Sequelize,
    private readonly fields: FieldsService,
    private readonly loader: ContactLoader,
    private readonly reads: ContactRead,
  ) {
    const dialect = db.getDialect();
    const columns = (reads.fields ?? []).map((f) => `${ROW_SQL[f] ?? isoSql(dialect, `c.${f}`)} AS ${f}`);
    this.select = ['c.id', ...columns].join(', ');
    this.source = rowSource(db);
  }

  /** The contacts of these ids, in this order (ids gone since are left out). */
  async page(ids: number[]): Promise<Contact[]> {
    if (!ids.length) return [];
    if (this.reads.everything) return this.loader.byIds(ids);
    const list = idList(ids);
    const { channels: types = [], addresses, custom = [] } = this.reads;
    const [rows, channels, places, values] = await Promise.all([
      this.source.rows<Row>(`SELECT ${this.select} FROM crm_contacts c WHERE c.id IN (${list})`),
      types.length
        ? this.source.rows<Omit<ChannelRow, 'id' | 'normalized' | 'sort'>>(
            `SELECT contact_id, type, subtype, value, is_primary, consent FROM crm_channels WHERE contact_id IN (${list}) AND type IN (${types.map((t) => `'${t}'`).join(',')}) ORDER BY contact_id, type, sort, id`,
          )
        : NONE,
      addresses
        ? this.source.rows<Contact['addresses'][number] & { contact_id: number }>(
            `SELECT contact_id, label, country, region, city, zip, street FROM crm_addresses WHERE contact_id IN (${list}) ORDER BY contact_id, sort, id`,
          )
        : NONE,
      custom.length ? this.custom(list, custom) : new Map<number, Custom>(),
    ]);
    const byId = new Map<number, Row>();
    for (const r of rows) byId.set(Number(r.id), r);
    const channelsOf = types.length ? groupBy(channels) : null;
    const addressesOf = addresses ? groupBy(places) : null;
    const out: Contact[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) continue;
      const place = addressesOf ? (addressesOf.get(id) ?? NONE).map(({ label, country, region, city, zip, street }) => ({ label, country, region, city, zip, street })) : NONE;
      const contact = new PageContact(row, channelsOf && channelLists(channelsOf.get(id)), place, values.get(id) ?? {});
      out.push(contact);
    }
    return out;
  }

  /** The values of these custom fields (by key) of the listed contacts. */
  private async custom(list: string, keys: string[]): Promise<Map<number, Custom>> {
    if (!this.customFields) {
      const wanted = new Set(keys);
      this.customFields = new Map((await this.fields.all()).filter((f) => wanted.has(f.key)).map((f) => [f.id, f]));
    }
    const out = new Map<number, Custom>();
    if (!this.customFields.size) return out;
    const rows = await this.source.rows<Omit<FieldValueRow, 'id'>>(
      `SELECT contact_id, field_id, value_text, value_number, value_date, value_long FROM crm_field_values WHERE contact_id IN (${list}) AND field_id IN (${[...this.customFields.keys()].join(',')}) ORDER BY id`,
    );
    for (const r of rows) {
      const field = this.customFields.get(r.field_id)!;
      const v = storedValue(field, r);
      if (v === null) continue;
      let values = out.get(r.contact_id);
      if (!values) out.set(r.contact_id, (values = {}));
      putStoredValue(values, field, v);
    }
    return out;
  }
}


type Row = Partial<Contact> & { id: number };

/**
 * A contact of a page: the fields of its row, the lists and values read for it, everything else
 * empty. Built by a constructor, every contact of a page has one shape, made in one step: copying
 * a template of every field into each (object spread) cost four times as much.
 */
class PageContact implements Contact {
  id: number;
  kind: Contact['kind'];
  name: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  company_name: string | null;
  job_title: string | null;
  company_id: number | null;
  buyer_id = null;
  emails: Contact['emails'];
  phones: Contact['phones'];
  messengers: Contact['messengers'];
  websites: Contact['websites'];
  domains: Contact['domains'];
  addresses: Contact['addresses'];
  tax_ids: Contact['tax_ids'];
  status_id: number | null;
  category_id: number | null;
  client_type_id: number | null;
  source_id: number | null;
  class_id: number | null;
  responsible_id: number | null;
  is_staff = false;
  user_id = null;
  birthday: string | null;
  comment: string | null;
  external_id: string | null;
  photo_url = null;
  tags: string[] = NONE;
  custom: Custom;
  version = 0;
  created_at: string;
  updated_at: string;
  deleted_at = null;

  constructor(row: Row, lists: ChannelLists | null, addresses: Contact['addresses'], custom: Custom) {
    this.id = row.id;
    this.kind = row.kind ?? 'person';
    this.name = row.name ?? '';
    this.first_name = row.first_name ?? null;
    this.middle_name = row.middle_name ?? null;
    this.last_name = row.last_name ?? null;
    this.company_name = row.company_name ?? null;
    this.job_title = row.job_title ?? null;
    this.company_id = row.company_id ?? null;
    this.emails = lists?.emails ?? NONE;
    this.phones = lists?.phones ?? NONE;
    this.messengers = lists?.messengers ?? NONE;
    this.websites = lists?.websites ?? NONE;
    this.domains = lists?.domains ?? NONE;
    this.addresses = addresses;
    this.tax_ids = lists?.tax_ids ?? NONE;
    this.status_id = row.status_id ?? null;
    this.category_id = row.category_id ?? null;
    this.client_type_id = row.client_type_id ?? null;
    this.source_id = row.source_id ?? null;
    this.class_id = row.class_id ?? null;
    this.responsible_id = row.responsible_id ?? null;
    this.birthday = row.birthday ?? null;
    this.comment = row.comment ?? null;
    this.external_id = row.external_id ?? null;
    this.custom = custom;
    this.created_at = row.created_at ?? '';
    this.updated_at = row.updated_at ?? '';
  }
}

/**
 * Reads the contacts of an export a page at a time, loading only what its columns read: the
 * contact row's fields they name, the channel types, addresses and custom values they show, with
 * plain queries on indexed columns (`crm_channels (contact_id, type, sort)`, `crm_addresses
 * (contact_id)`, `crm_field_values (contact_id, field_id)`) and plain rows. Dates come as ISO text
 * from the database itself. A page of 5,000 contacts through the contact loader (every column,
 * every channel, dates parsed into Date objects, other plugins' enrichers) cost four times the
 * work; a plugin's column still gets whole contacts from the loader, as everyone else does.
 *
 * The ids are the access-scoped ids the query service resolved; fields a column did not ask for
 * stay empty in the contacts given to the cells.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Contact } from '../api.js';
import type { ChannelRow } from '../models/crm-models.js';
import { channelLists, groupBy, type ContactLoader } from '../services/contact-loader.js';
import type { FieldsService } from '../services/fields-service.js';

export type ChannelType = 'email' | 'phone' | 'messenger' | 'website' | 'domain' | 'tax_id';

/** Fields of a contact an export reads from its row, and their SQL over `crm_contacts c`. */
const ROW_SQL = {
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
  responsible_id: 'c.responsible_id',
  birthday: 'c.birthday',
  comment: 'c.comment',
  external_id: 'c.external_id',
  created_at: null,
  updated_at: null,
} as const;
export type ContactField = keyof typeof ROW_SQL;

/** What a column reads of a contact. */
export interface ContactRead {
  fields?: ContactField[];
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

export class ExportReader {
  private readonly select: string;

  constructor(
    private readonly db: Sequelize,
    private readonly fields: FieldsService,
    private readonly loader: ContactLoader,
    private readonly reads: ContactRead,
  ) {
    const dialect = db.getDialect();
    const columns = (reads.fields ?? []).map((f) => `${ROW_SQL[f] ?? isoSql(dialect, `c.${f}`)} AS ${f}`);
    this.select = ['c.id', ...columns].join(', ');
  }

  /** The contacts of these ids, in this order (ids gone since are left out). */
  async page(ids: number[]): Promise<Contact[]> {
    if (!ids.length) return [];
    if (this.reads.everything) return this.loader.byIds(ids);
    const list = idList(ids);
    const { channels: types = [], addresses, custom = [] } = this.reads;
    const [rows, channels, places, values] = await Promise.all([
      this.rows<Partial<Contact> & { id: number }>(`SELECT ${this.select} FROM crm_contacts c WHERE c.id IN (${list})`),
      types.length
        ? this.rows<Omit<ChannelRow, 'id' | 'normalized' | 'sort'>>(
            `SELECT contact_id, type, subtype, value, is_primary, consent FROM crm_channels WHERE contact_id IN (${list}) AND type IN (${types.map((t) => `'${t}'`).join(',')}) ORDER BY contact_id, type, sort, id`,
          )
        : NONE,
      addresses
        ? this.rows<Contact['addresses'][number] & { contact_id: number }>(
            `SELECT contact_id, label, country, region, city, zip, street FROM crm_addresses WHERE contact_id IN (${list}) ORDER BY contact_id, sort, id`,
          )
        : NONE,
      custom.length ? this.fields.valuesFor(ids) : new Map<number, Contact['custom']>(),
    ]);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const channelsOf = groupBy(channels);
    const addressesOf = groupBy(places);
    const out: Contact[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) continue;
      const own = types.length ? channelLists(channelsOf.get(id)) : null;
      out.push({
        ...EMPTY,
        ...row,
        id,
        ...(own ?? {}),
        addresses: addresses ? (addressesOf.get(id) ?? NONE).map(({ label, country, region, city, zip, street }) => ({ label, country, region, city, zip, street })) : NONE,
        custom: values.get(id) ?? {},
      });
    }
    return out;
  }

  private async rows<T>(sql: string): Promise<T[]> {
    return (await this.db.query(sql, { type: QueryTypes.SELECT, raw: true })) as T[];
  }
}

/** What a contact holds when its columns did not ask for a field. */
const EMPTY: Contact = {
  id: 0,
  kind: 'person',
  name: '',
  first_name: null,
  middle_name: null,
  last_name: null,
  company_name: null,
  job_title: null,
  company_id: null,
  buyer_id: null,
  emails: NONE,
  phones: NONE,
  messengers: NONE,
  websites: NONE,
  domains: NONE,
  addresses: NONE,
  tax_ids: NONE,
  status_id: null,
  category_id: null,
  client_type_id: null,
  source_id: null,
  class_id: null,
  responsible_id: null,
  is_staff: false,
  user_id: null,
  birthday: null,
  comment: null,
  external_id: null,
  photo_url: null,
  tags: NONE,
  custom: {},
  version: 0,
  created_at: '',
  updated_at: '',
  deleted_at: null,
};

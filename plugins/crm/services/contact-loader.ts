/**
 * Turns contact rows into API contacts with their channels, addresses and custom values, for a
 * whole page at once: a fixed number of queries however many contacts (no N+1).
 */
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { TOKENS, inject, injectable, type ExtensionRegistry } from '../../../host/api.js';
import { CrmTokens, contactEnrichers, type Channel, type Contact, type Messenger, type TaxId } from '../api.js';
import { crmModels, type ChannelRow, type ContactRow, type CrmModels } from '../models/crm-models.js';
import type { FieldsService } from './fields-service.js';

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

/** Rows by their contact (or by `key`), in the order given. */
export function groupBy<T extends { contact_id: number }>(rows: T[]): Map<number, T[]>;
export function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]>;
export function groupBy<T, K>(rows: T[], key: (row: T) => K = (r) => (r as { contact_id: K }).contact_id): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export interface ChannelLists {
  emails: Channel[];
  phones: Channel[];
  messengers: Messenger[];
  websites: Channel[];
  domains: string[];
  tax_ids: TaxId[];
}

/** A contact's channels sorted into their lists in one pass (the rows come ordered by type, sort, id). */
export function channelLists(own: Array<Pick<ChannelRow, 'type' | 'subtype' | 'value' | 'is_primary' | 'consent'>> | undefined): ChannelLists {
  const lists: ChannelLists = { emails: [], phones: [], messengers: [], websites: [], domains: [], tax_ids: [] };
  if (!own) return lists;
  for (const c of own) {
    switch (c.type) {
      case 'email':
        lists.emails.push({ value: c.value, label: c.subtype, primary: Boolean(c.is_primary), consent: Boolean(c.consent) });
        break;
      case 'phone':
        lists.phones.push({ value: c.value, label: c.subtype, primary: Boolean(c.is_primary) });
        break;
      case 'website':
        lists.websites.push({ value: c.value, label: c.subtype, primary: Boolean(c.is_primary) });
        break;
      case 'messenger':
        lists.messengers.push({ type: c.subtype as Messenger['type'], value: c.value });
        break;
      case 'domain':
        lists.domains.push(c.value);
        break;
      case 'tax_id':
        lists.tax_ids.push({ type: c.subtype as TaxId['type'], value: c.value });
        break;
    }
  }
  return lists;
}

@injectable()
export class ContactLoader {
  private readonly m: CrmModels;

  constructor(
    @inject(TOKENS.Database) db: Sequelize,
    @inject(CrmTokens.Fields) private readonly fields: FieldsService,
    @inject(TOKENS.Extensions) private readonly extensions: ExtensionRegistry,
  ) {
    this.m = crmModels(db);
  }

  /** Contacts by id in the order given; ids that do not exist are left out. */
  async byIds(ids: number[], transaction?: Transaction): Promise<Contact[]> {
    if (!ids.length) return [];
    // Plain rows, not model instances: a page of 2,000 contacts (exports) spent most of its time
    // building and reading instances.
    const rows = await this.m.Contact.findAll({ where: { id: { [Op.in]: ids } }, transaction, raw: true });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return this.hydrate(ids.map((id) => byId.get(id)).filter((r): r is ContactRow => Boolean(r)), transaction);
  }

  async hydrate(rows: ContactRow[], transaction?: Transaction): Promise<Contact[]> {
    const ids = rows.map((r) => r.id);
    if (!ids.length) return [];
    const [channels, addresses, custom] = await Promise.all([
      this.m.Channel.findAll({ where: { contact_id: { [Op.in]: ids } }, order: [['contact_id', 'ASC'], ['type', 'ASC'], ['sort', 'ASC'], ['id', 'ASC']], transaction, raw: true }),
      this.m.Address.findAll({ where: { contact_id: { [Op.in]: ids } }, order: [['sort', 'ASC'], ['id', 'ASC']], transaction, raw: true }),
      this.fields.valuesFor(ids, transaction),
    ]);
    const channelsOf = groupBy(channels);
    const addressesOf = groupBy(addresses);
    const contacts: Contact[] = rows.map((r) => {
      const own = channelLists(channelsOf.get(r.id));
      return {
        id: r.id,
        kind: r.kind,
        name: r.display_name,
        first_name: r.first_name,
        middle_name: r.middle_name,
        last_name: r.last_name,
        company_name: r.company_name,
        job_title: r.job_title,
        company_id: r.company_id,
        buyer_id: r.buyer_id,
        emails: own.emails,
        phones: own.phones,
        messengers: own.messengers,
        websites: own.websites,
        domains: own.domains,
        addresses: (addressesOf.get(r.id) ?? []).map((a) => ({ label: a.label, country: a.country, region: a.region, city: a.city, zip: a.zip, street: a.street })),
        tax_ids: own.tax_ids,
        status_id: r.status_id,
        category_id: r.category_id,
        client_type_id: r.client_type_id,
        source_id: r.source_id,
        class_id: r.class_id,
        responsible_id: r.responsible_id,
        is_staff: Boolean(r.is_staff),
        user_id: r.user_id,
        birthday: r.birthday,
        comment: r.comment,
        external_id: r.external_id ?? null,
        photo_url: r.photo ? `/crm/contacts/${r.id}/photo` : null,
        tags: [], // filled by the tags plugin through contactEnrichers
        custom: custom.get(r.id) ?? {},
        version: r.version,
        created_at: iso(r.created_at)!,
        updated_at: iso(r.updated_at)!,
        deleted_at: iso(r.deleted_at),
      };
    });
    // Other plugins' data on contacts (tags, ...), a page at a time.
    for (const enricher of this.extensions.list(contactEnrichers)) await enricher.enrich(contacts);
    return contacts;
  }
}

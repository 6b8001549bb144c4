/**
 * Names in a file turned into ids: dictionary items (status, category, client type, source) by
 * their name or a label in any language, users by e-mail or name, and existing companies by
 * external id, tax id or name (only companies the importing user may see). Dictionaries and
 * users are read once per import; companies once per batch.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CurrentUser } from '../../../../host/api.js';
import type { ContactScope, DictionaryItem, DictionaryName } from '../../api.js';
import { detectTaxIdType, validateTaxId } from '../../services/normalize/tax-ids.js';
import { foldText, nameKey } from '../../services/normalize/text.js';
import type { Reason } from './row-mapper.js';

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** Several records answer to one name: the row cannot say which it means. */
const AMBIGUOUS = -1;

export const UNKNOWN_COMPANY = 'crm:import.reason.unknown_company';

/** A cell's tax id normalized, when it is a valid one of any type. */
function taxIdOf(value: string): string | null {
  const type = detectTaxIdType(value).find((t) => validateTaxId(t, value).ok);
  const result = type && validateTaxId(type, value);
  return result && result.ok ? result.normalized : null;
}

/** What a company cell may name, as `companies` matches it: "ext:…", "tax:…", "name:…". */
export function companyCellKeys(value: string): string[] {
  const tax = taxIdOf(value);
  return [`ext:${value}`, ...(tax ? [`tax:${tax}`] : []), `name:${nameKey(value)}`];
}

/** What a new company answers to in a company cell: its external id, tax ids and name. */
export function newCompanyKeys(company: { externalId: string | null; taxIds: string[]; name: string | null }): string[] {
  return [
    ...(company.externalId ? [`ext:${company.externalId}`] : []),
    ...company.taxIds.map((t) => `tax:${t}`),
    ...(company.name ? [`name:${nameKey(company.name)}`] : []),
  ];
}

function indexBy<T>(items: T[], keys: (item: T) => string[], id: (item: T) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    for (const key of new Set(keys(item).filter(Boolean))) {
      const found = out.get(key);
      out.set(key, found === undefined || found === id(item) ? id(item) : AMBIGUOUS);
    }
  }
  return out;
}

export class ReferenceResolver {
  private readonly dictionaries = new Map<DictionaryName, Map<string, number>>();
  private users: Map<string, number> | null = null;

  constructor(
    private readonly db: Sequelize,
    private readonly scope: ContactScope,
    private readonly user: CurrentUser,
    items: DictionaryItem[],
  ) {
    for (const name of ['status', 'category', 'client_type', 'source'] as const) {
      const list = items.filter((i) => i.dictionary === name && i.active);
      this.dictionaries.set(name, indexBy(list, (i) => [i.name, ...Object.values(i.labels)].map(foldText), (i) => i.id));
    }
  }

  /** A dictionary item's id by name or label, or the reason it cannot be used. */
  dictionary(name: DictionaryName, value: string): number | Reason {
    const id = this.dictionaries.get(name)!.get(foldText(value));
    if (id === undefined || id === AMBIGUOUS) return { key: 'crm:import.reason.unknown_item', params: { value } };
    return id;
  }

  async responsible(value: string): Promise<number | Reason> {
    if (!this.users) {
      const rows = await this.db.query<{ id: number; email: string; name: string }>('SELECT id, email, name FROM host_users WHERE is_active = ?', { replacements: [true], type: QueryTypes.SELECT });
      this.users = indexBy(rows, (u) => [u.email.toLowerCase(), foldText(u.name)], (u) => Number(u.id));
    }
    const id = this.users.get(value.includes('@') ? value.toLowerCase() : foldText(value));
    if (id === undefined || id === AMBIGUOUS) return { key: 'crm:import.reason.unknown_user', params: { value } };
    return id;
  }

  /**
   * Companies for a batch's cells: by external id first, then tax id, then name (case and
   * diacritics aside). Unknown, invisible or ambiguous values get a reason.
   */
  async companies(values: string[]): Promise<Map<string, number | Reason>> {
    const out = new Map<string, number | Reason>();
    const distinct = [...new Set(values)];
    if (!distinct.length) return out;
    const scope = this.scope.condition(this.user, 'c');
    const live = `c.kind = 'company' AND c.deleted_at IS NULL AND ${scope.sql}`;
    const select = async (sql: string, params: unknown[]) =>
      this.db.query<{ id: number; k: string }>(sql, { replacements: [...params, ...scope.params], type: QueryTypes.SELECT });

    const byExternal = indexBy(
      await select(`SELECT c.id, c.external_id AS k FROM crm_contacts c WHERE c.external_id IN (${marks(distinct.length)}) AND ${live}`, distinct),
      (r) => [r.k],
      (r) => Number(r.id),
    );
    const taxOf = new Map<string, string>();
    for (const v of distinct) {
      const tax = taxIdOf(v);
      if (tax) taxOf.set(v, tax);
    }
    const taxValues = [...new Set(taxOf.values())];
    const byTax = taxValues.length
      ? indexBy(
          await select(
            `SELECT c.id, ch.normalized AS k FROM crm_channels ch JOIN crm_contacts c ON c.id = ch.contact_id WHERE ch.type = 'tax_id' AND ch.normalized IN (${marks(taxValues.length)}) AND ${live}`,
            taxValues,
          ),
          (r) => [r.k],
          (r) => Number(r.id),
        )
      : new Map<string, number>();
    const keys = [...new Set(distinct.map(nameKey))];
    const byName = indexBy(
      await select(`SELECT c.id, c.name_key AS k FROM crm_contacts c WHERE c.name_key IN (${marks(keys.length)}) AND ${live}`, keys),
      (r) => [r.k],
      (r) => Number(r.id),
    );
    for (const v of distinct) {
      const tax = taxOf.get(v);
      const id = byExternal.get(v) ?? (tax !== undefined ? byTax.get(tax) : undefined) ?? byName.get(nameKey(v));
      if (id === undefined) out.set(v, { key: UNKNOWN_COMPANY, params: { value: v } });
      else if (id === AMBIGUOUS) out.set(v, { key: 'crm:import.reason.ambiguous_company', params: { value: v } });
      else out.set(v, id);
    }
    return out;
  }
}

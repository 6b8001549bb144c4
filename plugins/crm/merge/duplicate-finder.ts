/**
 * The duplicate finder: groups of contacts that share a normalized email, phone or tax id,
 * companies that share a company domain (their domains and their emails' domains, free mail
 * providers left out), and persons of the same company with similar names (similar-names.ts). Each
 * reason but names is a GROUP BY on an index (no pairwise comparison), and names are compared only
 * within a company, so the whole base is a few scans; members are
 * then kept only when the user may see them (the one access scope) and they are not in the trash.
 * Contacts sharing the same reasons form one group; a key shared by very many contacts (an
 * office switchboard, info@) is a shared address rather than a duplicate and is left out.
 */
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { TOKENS, type CurrentUser, type PluginContext } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../api.js';
import { groupBy } from '../services/contact-loader.js';
import { foldName, similarNames, type FoldedName, type PersonName } from './similar-names.js';

export const REASONS = ['email', 'phone', 'tax_id', 'domain', 'name'] as const;
export type Reason = (typeof REASONS)[number];

export interface FoundGroup {
  signature: string;
  reasons: Array<{ reason: Reason; value: string }>;
  memberIds: number[];
}

/** Keys shared by more contacts than this are not offered as one group. */
export const MAX_GROUP = 50;
const KEYS_PER_QUERY = 500;
const IDS_PER_QUERY = 1000;

/** Addresses anyone can have: a shared domain there says nothing about the company. */
export const FREE_MAIL_DOMAINS = [
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'ymail.com', 'hotmail.com', 'hotmail.co.uk', 'outlook.com', 'live.com', 'msn.com',
  'icloud.com', 'me.com', 'mac.com', 'aol.com', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'proton.me', 'protonmail.com', 'zoho.com',
  'yandex.ru', 'yandex.ua', 'yandex.com', 'ya.ru', 'mail.ru', 'inbox.ru', 'list.ru', 'bk.ru', 'rambler.ru', 'ukr.net', 'i.ua', 'meta.ua', 'bigmir.net',
  'wp.pl', 'o2.pl', 'onet.pl', 'onet.eu', 'op.pl', 'interia.pl', 'interia.eu', 'poczta.fm', 'tlen.pl', 'gazeta.pl', 'vp.pl', 'int.pl', 'go2.pl',
];

/** A group's identity across runs: its members, whatever the reasons. */
export function signatureOf(ids: number[]): string {
  return createHash('sha256').update([...ids].sort((a, b) => a - b).join(',')).digest('hex').slice(0, 40);
}

const marks = (n: number) => new Array(n).fill('?').join(', ');

export interface FinderHooks {
  /** Called after each reason; throws (from the job) to stop. */
  progress?(done: number, total: number): Promise<void>;
  cancelled?(): Promise<boolean>;
}

/** A company's persons compared pairwise up to this many; more are compared by last name's first letter. */
const PAIRWISE_LIMIT = 300;

/** The sets of persons (ids, ascending) linked by similar names, each of two or more. */
export function similarGroups(persons: Array<{ id: number; name: FoldedName }>): number[][] {
  const parent = new Map<number, number>(persons.map((p) => [p.id, p.id]));
  const root = (id: number): number => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(id, r);
    return r;
  };
  const link = (a: number, b: number) => parent.set(root(a), root(b));
  let buckets = [persons];
  if (persons.length > PAIRWISE_LIMIT) {
    // The same words in another order may start with another letter: those are linked first.
    for (const [words, same] of groupBy(persons, (p) => p.name.words)) if (words) for (const p of same.slice(1)) link(same[0]!.id, p.id);
    buckets = [...groupBy(persons, (p) => p.name.last.charAt(0) || p.name.words.charAt(0)).values()];
  }
  for (const bucket of buckets) {
    for (let a = 0; a < bucket.length; a++) {
      for (let b = a + 1; b < bucket.length; b++) {
        if (similarNames(bucket[a]!.name, bucket[b]!.name)) link(bucket[a]!.id, bucket[b]!.id);
      }
    }
  }
  const groups = groupBy(persons.map((p) => p.id), root);
  return [...groups.values()].filter((ids) => ids.length > 1).map((ids) => ids.sort((x, y) => x - y));
}

export class DuplicateFinder {
  constructor(private readonly ctx: PluginContext) {}

  private get db() {
    return this.ctx.get<Sequelize>(TOKENS.Database);
  }

  private async rows<T>(sql: string, replacements: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, { replacements }))[0] as T[];
  }

  /** Every group the user may see; null when cancelled. */
  async find(user: CurrentUser, hooks: FinderHooks = {}): Promise<FoundGroup[] | null> {
    const keyed = new Map<string, Array<{ reason: Reason; value: string }>>();
    const members = new Map<string, number[]>();
    for (const [i, reason] of REASONS.entries()) {
      if (await hooks.cancelled?.()) return null;
      const pairs = await this.pairs(reason);
      const visible = await this.visible(user, [...new Set(pairs.map((p) => p.id))]);
      const byKey = new Map<string, Set<number>>();
      for (const p of pairs) {
        if (!visible.has(p.id)) continue;
        byKey.set(p.key, (byKey.get(p.key) ?? new Set()).add(p.id));
      }
      for (const [key, set] of byKey) {
        if (set.size < 2 || set.size > MAX_GROUP) continue;
        const ids = [...set].sort((a, b) => a - b);
        const signature = signatureOf(ids);
        members.set(signature, ids);
        const value = reason === 'name' ? key.slice(0, key.indexOf('|')) : key; // names: the company's id
        const reasons = keyed.get(signature);
        if (reasons) reasons.push({ reason, value });
        else keyed.set(signature, [{ reason, value }]);
      }
      await hooks.progress?.(i + 1, REASONS.length);
    }
    return [...members].map(([signature, memberIds]) => ({ signature, memberIds, reasons: keyed.get(signature)! }));
  }

  /** (key, contact id) of every key at least two contacts share, for one reason. */
  private async pairs(reason: Reason): Promise<Array<{ key: string; id: number }>> {
    if (reason === 'domain') return this.domainPairs();
    if (reason === 'name') return this.namePairs();
    // Index-only: crm_channels (type, normalized, contact_id).
    const keys = await this.rows<{ normalized: string }>(
      'SELECT normalized FROM crm_channels WHERE type = ? GROUP BY normalized HAVING COUNT(DISTINCT contact_id) > 1',
      [reason],
    );
    const out: Array<{ key: string; id: number }> = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const chunk = keys.slice(i, i + KEYS_PER_QUERY).map((k) => k.normalized);
      const rows = await this.rows<{ normalized: string; contact_id: number }>(
        `SELECT normalized, contact_id FROM crm_channels WHERE type = ? AND normalized IN (${marks(chunk.length)})`,
        [reason, ...chunk],
      );
      for (const r of rows) out.push({ key: r.normalized, id: Number(r.contact_id) });
    }
    return out;
  }

  /**
   * Persons of one company with similar names (similar-names.ts), a group per company and set of
   * names that are similar in a chain. Only companies with two live persons or more are read, a
   * chunk of companies at a time; a company with very many persons compares names only within the
   * same first letter of the last name, so its cost stays near linear.
   */
  private async namePairs(): Promise<Array<{ key: string; id: number }>> {
    const live = "kind = 'person' AND deleted_at IS NULL AND merged_into_id IS NULL";
    const companies = await this.rows<{ company_id: number }>(`SELECT company_id FROM crm_contacts WHERE company_id IS NOT NULL AND ${live} GROUP BY company_id HAVING COUNT(*) > 1`);
    const out: Array<{ key: string; id: number }> = [];
    for (let i = 0; i < companies.length; i += KEYS_PER_QUERY) {
      const chunk = companies.slice(i, i + KEYS_PER_QUERY).map((c) => Number(c.company_id));
      const rows = await this.rows<PersonName & { id: number; company_id: number }>(
        `SELECT id, company_id, first_name, middle_name, last_name FROM crm_contacts WHERE company_id IN (${marks(chunk.length)}) AND ${live}`,
        chunk,
      );
      const byCompany = new Map<number, Array<{ id: number; name: FoldedName }>>();
      for (const r of rows) {
        const companyId = Number(r.company_id);
        const list = byCompany.get(companyId) ?? [];
        list.push({ id: Number(r.id), name: foldName(r) });
        byCompany.set(companyId, list);
      }
      for (const [companyId, persons] of byCompany) {
        for (const group of similarGroups(persons)) for (const id of group) out.push({ key: `${companyId}|${group[0]}`, id });
      }
    }
    return out;
  }

  /** Companies by their domains and the domains of their emails, without free mail providers. */
  private async domainPairs(): Promise<Array<{ key: string; id: number }>> {
    const free = FREE_MAIL_DOMAINS;
    const rows = await this.rows<{ d: string; contact_id: number }>(
      `SELECT x.d, x.contact_id FROM (
         SELECT ch.normalized AS d, ch.contact_id FROM crm_channels ch JOIN crm_contacts c ON c.id = ch.contact_id
          WHERE ch.type = 'domain' AND c.kind = 'company' AND c.deleted_at IS NULL AND c.merged_into_id IS NULL
         UNION
         SELECT SUBSTR(ch.normalized, INSTR(ch.normalized, '@') + 1) AS d, ch.contact_id FROM crm_channels ch JOIN crm_contacts c ON c.id = ch.contact_id
          WHERE ch.type = 'email' AND c.kind = 'company' AND c.deleted_at IS NULL AND c.merged_into_id IS NULL
       ) x WHERE x.d NOT IN (${marks(free.length)})`,
      free,
    );
    const byDomain = new Map<string, Set<number>>();
    for (const r of rows) byDomain.set(r.d, (byDomain.get(r.d) ?? new Set()).add(Number(r.contact_id)));
    return [...byDomain].filter(([, ids]) => ids.size > 1).flatMap(([key, ids]) => [...ids].map((id) => ({ key, id })));
  }

  /** The ids the user may see, out of the trash. */
  private async visible(user: CurrentUser, ids: number[]): Promise<Set<number>> {
    const out = new Set<number>();
    const scope = this.ctx.get<ContactScope>(CrmTokens.Scope).condition(user, 'c');
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      const rows = await this.rows<{ id: number }>(`SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(chunk.length)}) AND c.deleted_at IS NULL AND ${scope.sql}`, [...chunk, ...scope.params]);
      for (const r of rows) out.add(Number(r.id));
    }
    return out;
  }
}

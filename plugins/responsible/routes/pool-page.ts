/**
 * `/responsible/pool`: the free (unassigned) clients the user may see, newest first, with a
 * search and pages; "Claim" makes the user their responsible (right responsible.claim).
 */
import type { Request } from 'express';
import type { Sequelize } from 'sequelize';
import { TOKENS, flash, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactQueryService, type ContactScope, type DictionaryItem } from '../../crm/api.js';
import { RIGHTS, ResponsibleTokens, type PoolService } from '../api.js';
import { idParam, listHref, messageOf, refusal } from './support.js';

const PAGE = '/responsible/pool';
const PAGE_SIZE = 50;
const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const CURSOR = /^[A-Za-z0-9_-]{1,1000}={0,2}$/;

/** The part of the CRM's dictionaries service used here (its type is not in the CRM's api.ts). */
interface StatusDictionary {
  list(dictionary: 'status', includeInactive?: boolean): Promise<DictionaryItem[]>;
}

/** Where to come back to after a claim: the pool with the same search and page. */
function backTo(body: Record<string, unknown>): string {
  const search = new URLSearchParams();
  if (typeof body.q === 'string' && body.q.trim()) search.set('q', body.q.trim().slice(0, 200));
  if (typeof body.cursor === 'string' && CURSOR.test(body.cursor)) search.set('cursor', body.cursor);
  const text = search.toString();
  return text ? `${PAGE}?${text}` : PAGE;
}

/** Dark or white text on a status colour. */
function textOn(hex: string): string {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 0.3 ? '#212529' : '#ffffff';
}

async function companyNames(ctx: PluginContext, req: Request, contacts: Contact[]): Promise<Map<number, string>> {
  const ids = [...new Set(contacts.map((c) => c.company_id).filter((id): id is number => id !== null))];
  if (!ids.length) return new Map();
  const visible = ctx.get<ContactScope>(CrmTokens.Scope).condition(req.user!, 'c');
  const [rows] = await ctx.get<Sequelize>(TOKENS.Database).query(
    `SELECT c.id, c.display_name FROM crm_contacts c WHERE c.id IN (${ids.map(() => '?').join(',')}) AND c.deleted_at IS NULL AND ${visible.sql}`,
    { replacements: [...ids, ...visible.params] },
  );
  return new Map((rows as Array<{ id: number; display_name: string }>).map((r) => [Number(r.id), r.display_name]));
}

const main = (list: Contact['emails']): string | null => (list.find((c) => c.primary) ?? list[0])?.value ?? null;

export function registerPoolPage(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/pool',
    right: 'crm.access',
    summary: 'The pool of free (unassigned) clients',
    handler: async (req, res) => {
      const user = req.user!;
      const raw = req.query as Record<string, unknown>;
      const q = typeof raw.q === 'string' ? raw.q.trim().slice(0, 200) : '';
      const cursor = typeof raw.cursor === 'string' && CURSOR.test(raw.cursor) ? raw.cursor : null;
      const [result, statuses] = await Promise.all([
        ctx.get<ContactQueryService>(CrmTokens.ContactQuery).list(user, { responsible_id: [0], ...(q ? { q } : {}), sort: 'created_at', order: 'desc', limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
        ctx.get<StatusDictionary>(CrmTokens.Dictionaries).list('status', true),
      ]);
      const byId = new Map(statuses.map((s) => [s.id, s]));
      const companies = await companyNames(ctx, req, result.items);
      const canClaim = user.can(RIGHTS.claim);
      const rows = result.items.map((c) => {
        const status = c.status_id === null ? undefined : byId.get(c.status_id);
        const color = status?.color && HEX.test(status.color) ? status.color : null;
        const company = c.kind === 'person' ? ((c.company_id ? companies.get(c.company_id) : null) ?? c.company_name) : null;
        return {
          id: c.id,
          name: c.name,
          isCompany: c.kind === 'company',
          href: `/crm/contacts/${c.id}`,
          company: company && company !== c.name ? company : null,
          email: main(c.emails),
          phone: main(c.phones),
          status: status ? { name: status.labels[req.language] || status.name, bg: color ?? '#e9ecef', fg: color ? textOn(color) : '#212529' } : null,
          created: c.created_at,
          version: c.version,
        };
      });
      const search = (extra: Record<string, string>) => {
        const params = new URLSearchParams({ ...(q ? { q } : {}), ...extra }).toString();
        return params ? `${PAGE}?${params}` : PAGE;
      };
      res.type('html').send(
        await ctx.get<ViewRenderer>(TOKENS.Views).renderPage(req, 'responsible/pool', {
          title: req.t('responsible:pool.title'),
          q,
          cursor,
          rows,
          total: result.total,
          totalText: result.total === null ? null : result.total_capped ? req.t('responsible:pool.count_capped', { n: result.total }) : req.t('responsible:pool.count', { count: result.total }),
          canClaim,
          nextHref: result.next_cursor ? search({ cursor: result.next_cursor }) : null,
          firstHref: cursor ? search({}) : null,
          listHref: q ? `${listHref(0)}&${new URLSearchParams({ q })}` : listHref(0),
          styles: ['/assets/p/responsible/responsible.css'],
        }),
      );
    },
  });

  ctx.route({
    method: 'post',
    path: '/pool/:id/claim',
    right: RIGHTS.claim,
    summary: 'Claim a free client (form)',
    handler: async (req, res) => {
      const id = idParam(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const contact = await ctx.get<PoolService>(ResponsibleTokens.Pool).claim(req.user!, id);
        flash(req, 'success', req.t('responsible:pool.claimed', { name: contact.name }));
      } catch (err) {
        flash(req, 'danger', messageOf(req, refusal(err)));
      }
      res.redirect(303, backTo(body));
    },
  });
}

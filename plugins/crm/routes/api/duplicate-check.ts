/**
 * "Does this contact already exist?": the create form asks while the user types an email, a phone
 * or a tax id. Looks the normalized value up in the channels table, inside the access scope, so
 * it never reveals contacts the caller may not see.
 */
import type { Sequelize } from 'sequelize';
import { TOKENS, type PluginContext } from '../../../../host/api.js';
import { CrmTokens, type ContactKind, type ContactScope } from '../../api.js';
import { DEFAULT_PHONE_COUNTRY, normalizeEmail, normalizePhone, type CountryCode } from '../../services/normalize/channels.js';
import { detectTaxIdType, TAX_ID_TYPES, validateTaxId, type TaxIdType } from '../../services/normalize/tax-ids.js';
import { apiRoutes } from './params.js';

const MAX_MATCHES = 10;

export interface DuplicateMatch {
  id: number;
  kind: ContactKind;
  name: string;
  /** Which of the given values it shares: email, phone, tax_id. */
  matches: Array<'email' | 'phone' | 'tax_id'>;
}

/** The tax id as stored for each type it could be (a 10-digit number may be a NIP or an INN). */
function taxIdCandidates(value: string, type?: TaxIdType): string[] {
  const types = type ? [type] : detectTaxIdType(value);
  const out = new Set<string>();
  for (const t of types) {
    const r = validateTaxId(t, value);
    if (r.ok) out.add(r.normalized);
  }
  return [...out];
}

export function registerDuplicateCheck(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  route({
    method: 'get',
    path: '/contacts/duplicates-check',
    right: 'crm.access',
    summary: 'Visible contacts that already have this email, phone or tax id (for the duplicate warning)',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        email: { type: 'string', maxLength: 254 },
        phone: { type: 'string', maxLength: 60 },
        tax_id: { type: 'string', maxLength: 40 },
        tax_id_type: { enum: TAX_ID_TYPES },
        exclude_id: { type: 'integer', minimum: 1 },
      },
    },
    handler: async (req, res) => {
      const q = req.query as { email?: string; phone?: string; tax_id?: string; tax_id_type?: TaxIdType; exclude_id?: number };
      const settings = await ctx.settings<{ default_phone_country?: string }>();
      const country = (settings.default_phone_country ?? DEFAULT_PHONE_COUNTRY) as CountryCode;
      // Half-typed values that do not normalize cannot match anything stored, so they are skipped.
      const wanted: Array<{ type: 'email' | 'phone' | 'tax_id'; values: string[] }> = [];
      const email = q.email ? normalizeEmail(q.email) : null;
      if (email) wanted.push({ type: 'email', values: [email] });
      const phone = q.phone ? normalizePhone(q.phone, country) : null;
      if (phone) wanted.push({ type: 'phone', values: [phone.extension ? `${phone.e164};ext=${phone.extension}` : phone.e164] });
      const taxIds = q.tax_id ? taxIdCandidates(q.tax_id, q.tax_id_type) : [];
      if (taxIds.length) wanted.push({ type: 'tax_id', values: taxIds });
      if (!wanted.length) return void res.json({ items: [] });

      const scope = ctx.get<ContactScope>(CrmTokens.Scope).condition(req.user!, 'c');
      const channelSql = wanted.map((w) => `(ch.type = ? AND ch.normalized IN (${w.values.map(() => '?').join(',')}))`).join(' OR ');
      const [rows] = await ctx.get<Sequelize>(TOKENS.Database).query(
        `SELECT c.id, c.kind, c.display_name, ch.type FROM crm_channels ch JOIN crm_contacts c ON c.id = ch.contact_id
         WHERE (${channelSql}) AND c.deleted_at IS NULL AND ${scope.sql}${q.exclude_id ? ' AND c.id <> ?' : ''}
         ORDER BY c.id LIMIT ${MAX_MATCHES * wanted.length * 3}`,
        { replacements: [...wanted.flatMap((w) => [w.type, ...w.values]), ...scope.params, ...(q.exclude_id ? [q.exclude_id] : [])] },
      );
      const byId = new Map<number, DuplicateMatch>();
      for (const r of rows as Array<{ id: number; kind: ContactKind; display_name: string; type: DuplicateMatch['matches'][number] }>) {
        const id = Number(r.id);
        const match = byId.get(id) ?? { id, kind: r.kind, name: r.display_name, matches: [] };
        if (!match.matches.includes(r.type)) match.matches.push(r.type);
        byId.set(id, match);
      }
      res.json({ items: [...byId.values()].slice(0, MAX_MATCHES) });
    },
  });
}

/** What the client card shows beside the contact: its history, its tab headers and a company's employees. */
import type { PluginContext } from '../../../../host/api.js';
import { CrmTokens, type ContactQueryService, type ContactsService, type HistoryWriter } from '../../api.js';
import type { ProfileTabsService } from '../../services/profile-tabs.js';
import { pageOf, pageProperties } from './list-query.js';
import { apiRoutes, pathId } from './params.js';

const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    field: { type: 'string', maxLength: 100 },
    action: { type: 'string', maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    before: { type: 'integer', minimum: 1 },
  },
};

export function registerContactViewRoutes(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const contacts = () => ctx.get<ContactsService>(CrmTokens.Contacts);

  route({
    method: 'get',
    path: '/contacts/:id/history',
    right: 'crm.access',
    summary: 'Changes to a contact, newest first; filters field, action; page with before=<id>',
    query: historyQuery,
    handler: async (req, res) => {
      const q = req.query as unknown as { field?: string; action?: string; limit: number; before?: number };
      const items = await ctx.get<HistoryWriter>(CrmTokens.History).list(req.user!, pathId(req), q);
      // The next page starts below the oldest entry shown; null once the history is exhausted.
      res.json({ items, next_before: items.length === q.limit ? items.at(-1)!.id : null });
    },
  });

  route({
    method: 'get',
    path: '/contacts/:id/tabs',
    right: 'crm.access',
    summary: "The client card's tabs from every enabled plugin, with their counts",
    handler: async (req, res) => {
      const contact = await contacts().get(req.user!, pathId(req));
      res.json({ items: await ctx.get<ProfileTabsService>(CrmTokens.ProfileTabs).headers(contact, req) });
    },
  });

  route({
    method: 'get',
    path: '/contacts/:id/employees',
    right: 'crm.access',
    summary: "A company's employees (persons whose company_id is this contact), paged like the list",
    query: { type: 'object', additionalProperties: false, properties: pageProperties },
    handler: async (req, res) => {
      const company = await contacts().get(req.user!, pathId(req));
      const page = pageOf(req.query as Record<string, unknown>);
      res.json(await ctx.get<ContactQueryService>(CrmTokens.ContactQuery).list(req.user!, { ...page, company_id: company.id }));
    },
  });
}

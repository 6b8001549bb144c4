/**
 * The client list: `GET /crm/contacts` (search, filters, sort, pages, the trash, the selected
 * contacts), the column choice saved per user, restoring from the trash, the name suggestions
 * other screens use, and the selection with its mass actions (list-selection.ts).
 */
import { hiddenStandardFields } from '../services/standard-fields.js';
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, type ExtensionRegistry, type PluginContext, type SettingsStore, type ViewRenderer } from '../../../host/api.js';
import { CrmTokens, listColumns, type ContactKind, type ContactQueryService, type ContactScope, type ContactsService } from '../api.js';
import type { FieldsService } from '../services/fields-service.js';
import { checkColumns, chosenColumns, columnCatalog, COLUMNS_KEY, MAX_COLUMNS } from './list-columns.js';
import { companyNames, companyOf } from './list-lookups.js';
import { LIST_PATH } from './list-params.js';
import { registerListSelection } from './list-selection.js';
import { buildListView } from './list-view.js';

export const SUGGEST_LIMIT = 10;

/** Only a path back into the list is followed after a restore (never another site). */
function backTo(back: unknown, restored: number): string {
  const url = new URL(typeof back === 'string' && back.startsWith(`${LIST_PATH}?`) ? back : `${LIST_PATH}?trash=1`, 'http://local');
  if (url.pathname !== LIST_PATH) return `${LIST_PATH}?trash=1&restored=${restored}`;
  for (const key of ['restored', 'cursor', 'before', 'pos']) url.searchParams.delete(key);
  url.searchParams.set('restored', String(restored));
  return `${url.pathname}?${url.searchParams.toString()}`;
}

export function registerListPages(ctx: PluginContext): void {
  registerListSelection(ctx);

  ctx.route({
    method: 'get',
    path: '/contacts/suggest',
    right: 'crm.access',
    summary: 'Contacts whose name, email, phone or tax id starts with q (autocomplete)',
    query: {
      type: 'object',
      properties: { q: { type: 'string', maxLength: 200 }, kind: { type: 'string', enum: ['person', 'company'] } },
    },
    handler: async (req, res) => {
      const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
      if (!q) return void res.json([]);
      const user = req.user!;
      const result = await ctx.get<ContactQueryService>(CrmTokens.ContactQuery).list(user, { q, kind: req.query.kind as ContactKind | undefined, sort: 'name', limit: SUGGEST_LIMIT });
      const names = await companyNames(ctx.get<Sequelize>(TOKENS.Database), ctx.get<ContactScope>(CrmTokens.Scope), user, result.items);
      res.json(result.items.map((c) => ({ id: c.id, name: c.name, kind: c.kind, company: companyOf(c, names) })));
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/columns',
    right: 'crm.access',
    summary: "Saves the signed-in user's list columns, in order",
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        columns: { type: 'array', maxItems: MAX_COLUMNS, items: { type: 'string', maxLength: 200 } },
        reset: { type: 'boolean' },
      },
    },
    handler: async (req, res) => {
      const user = req.user!;
      const settings = ctx.get<SettingsStore>(TOKENS.Settings);
      const body = req.body as { columns?: string[]; reset?: boolean };
      const catalog = columnCatalog(req, await ctx.get<FieldsService>(CrmTokens.Fields).all(), ctx.get<ExtensionRegistry>(TOKENS.Extensions).list(listColumns, user), await hiddenStandardFields(settings));
      if (body.reset) {
        await settings.set(`user:${user.id}`, COLUMNS_KEY, null);
      } else {
        if (!body.columns) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'columns', code: 'required', message: 'host:validation.required' }]);
        const { columns, errors } = checkColumns(body.columns, catalog);
        if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
        await settings.set(`user:${user.id}`, COLUMNS_KEY, columns);
      }
      res.json({ columns: ['name', ...(await chosenColumns(settings, user, catalog)).map((c) => c.id)] });
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/trash/restore',
    right: 'crm.contacts.delete',
    body: {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'integer', minimum: 1 }, back: { type: 'string', maxLength: 4000 } },
    },
    handler: async (req, res) => {
      const body = req.body as { id: number; back?: string };
      await ctx.get<ContactsService>(CrmTokens.Contacts).restore(req.user!, body.id);
      res.redirect(303, backTo(body.back, body.id));
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts',
    right: 'crm.access',
    handler: async (req, res) => {
      // The live search asks for the results alone, so typing does not re-render the page around them.
      const partial = req.get('x-crm-partial') === 'results';
      const view = await buildListView(ctx, req, { partial });
      if (view.redirect) return void res.redirect(view.status, view.redirect);
      const views = ctx.get<ViewRenderer>(TOKENS.Views);
      res.vary('X-Crm-Partial');
      res
        .status(view.status)
        .type('html')
        .send(partial ? await views.renderPartial(req, 'crm/partials/list-results', view.data) : await views.renderPage(req, 'crm/list', view.data));
    },
  });
}

/**
 * The signed-in user's selection of contacts: read it, add ids or everything a filter matches,
 * remove ids or empty it. Only contacts the caller can see are added or reported.
 */
import type { CurrentUser, PluginContext } from '../../../../host/api.js';
import { CrmTokens, type ContactQueryService, type ListQuery } from '../../api.js';
import { SELECTED_CONDITION, SelectionService, selectedValue } from '../../services/selection-service.js';
import { apiRoutes, invalid } from './params.js';

/** Explicit ids per request; more go by a filter or the selection. */
export const MAX_IDS = 50_000;
export const idsSchema = { type: 'array', maxItems: MAX_IDS, items: { type: 'integer', minimum: 1 } };
/** List filters as `GET /api/v1/contacts` takes them, in an object; `selected: true` narrows to the selection. */
export const filterSchema = { type: 'object', maxProperties: 100 };

const PAGING = new Set(['sort', 'order', 'limit', 'cursor']);

/** An API filter object as a ListQuery, with the list's own checks (400 per field). */
export function filterQuery(ctx: PluginContext, user: CurrentUser, filter: Record<string, unknown>): ListQuery {
  const params: Record<string, string | string[]> = {};
  let selected = false;
  for (const [name, value] of Object.entries(filter)) {
    if (PAGING.has(name)) continue;
    if (name === 'selected') {
      selected = value === true || value === 'true' || value === '1' || value === 1;
      continue;
    }
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    if (Array.isArray(value) && value.every(scalar)) params[name] = value.map(String);
    else if (scalar(value)) params[name] = String(value);
    else throw invalid([{ field: `filter.${name}`, code: 'type', message: 'host:validation.type' }]);
  }
  const query = ctx.get<ContactQueryService>(CrmTokens.ContactQuery).fromParams(params);
  if (selected) query.conditions = { ...query.conditions, [SELECTED_CONDITION]: selectedValue(ctx, user) };
  return query;
}

export function registerSelectionRoutes(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const selection = () => new SelectionService(ctx);

  route({
    method: 'get',
    path: '/selection',
    right: 'crm.access',
    summary: "The signed-in user's selected contacts that they can see: {ids, count}",
    handler: async (req, res) => {
      const ids = await selection().ids(req.user!);
      res.json({ ids, count: ids.length });
    },
  });

  route({
    method: 'post',
    path: '/selection',
    right: 'crm.access',
    summary: 'Add contacts to the selection: {ids} and/or {filter} (every contact the list filters match, up to 200,000): {added, count}',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { ids: idsSchema, filter: filterSchema },
    },
    handler: async (req, res) => {
      const user = req.user!;
      const body = req.body as { ids?: number[]; filter?: Record<string, unknown> };
      let added = 0;
      let count = 0;
      if (body.ids) ({ added, count } = await selection().add(user, body.ids));
      if (body.filter) {
        const more = await selection().addMatching(user, filterQuery(ctx, user, body.filter));
        added += more.added;
        count = more.count;
      }
      res.json({ added, count });
    },
  });

  route({
    method: 'delete',
    path: '/selection',
    right: 'crm.access',
    summary: 'Remove {ids} from the selection, or empty it without a body: {removed, count}',
    body: { type: 'object', additionalProperties: false, properties: { ids: idsSchema } },
    handler: async (req, res) => {
      const user = req.user!;
      const ids = (req.body as { ids?: number[] } | undefined)?.ids;
      if (ids) return void res.json(await selection().remove(user, ids));
      const before = await selection().count(user);
      await selection().clear(user);
      res.json({ removed: before, count: 0 });
    },
  });
}

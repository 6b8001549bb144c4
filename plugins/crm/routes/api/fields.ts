/** Custom field definitions: every CRM user reads them; administrators manage them. */
import type { PluginContext } from '../../../../host/api.js';
import { CrmTokens } from '../../api.js';
import { FIELD_TYPES, type FieldInput, type FieldsService } from '../../services/fields-service.js';
import { apiRoutes, inactiveQuery, invalid, labelsSchema, orderSchema, pathId } from './params.js';

const MANAGE = 'crm.settings.manage';

/** What may change after creation: the key and type are fixed, since values are stored by type. */
const changeable = {
  labels: labelsSchema,
  required: { type: 'boolean' },
  sort: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  in_list: { type: 'boolean' },
  options: { type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 190 } },
  active: { type: 'boolean' },
};

export function registerFieldRoutes(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const fields = () => ctx.get<FieldsService>(CrmTokens.Fields);

  route({
    method: 'get',
    path: '/fields',
    right: 'crm.access',
    summary: 'Custom field definitions in their order (inactive ones with include_inactive=true)',
    query: inactiveQuery,
    handler: async (req, res) => {
      res.json({ items: await fields().all(Boolean((req.query as { include_inactive?: boolean }).include_inactive)) });
    },
  });

  route({
    method: 'post',
    path: '/fields',
    right: MANAGE,
    summary: 'Define a custom field',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'type'],
      properties: { key: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' }, type: { enum: FIELD_TYPES }, ...changeable },
    },
    handler: async (req, res) => {
      res.status(201).json(await fields().create(req.body as FieldInput));
    },
  });

  // Declared before /fields/:id so "order" is never read as an id.
  route({
    method: 'post',
    path: '/fields/order',
    right: MANAGE,
    summary: 'Put the custom fields in the order of `ids`',
    body: orderSchema,
    handler: async (req, res) => {
      const ids = (req.body as { ids: number[] }).ids;
      const known = new Set((await fields().all(true)).map((f) => f.id));
      const unknown = ids.findIndex((id) => !known.has(id));
      if (unknown !== -1) throw invalid([{ field: `ids.${unknown}`, code: 'unknown', message: 'crm:errors.unknown_field' }]);
      await fields().reorder(ids);
      res.json({ items: await fields().all(true) });
    },
  });

  route({
    method: 'patch',
    path: '/fields/:id',
    right: MANAGE,
    summary: "Change a custom field's labels, options, order, flags (not its key or type)",
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: changeable },
    handler: async (req, res) => {
      res.json(await fields().update(pathId(req), req.body as FieldInput));
    },
  });

  route({
    method: 'delete',
    path: '/fields/:id',
    right: MANAGE,
    summary: 'Delete a custom field and every value of it',
    handler: async (req, res) => {
      await fields().remove(pathId(req));
      res.status(204).end();
    },
  });
}

/** Statuses, categories, client types and sources: every CRM user reads them; administrators manage them. */
import type { Request } from 'express';
import { HttpError, type PluginContext } from '../../../../host/api.js';
import { CrmTokens, type DictionaryItem, type DictionaryName } from '../../api.js';
import { DICTIONARIES, type DictionariesService, type DictionaryInput } from '../../services/dictionaries-service.js';
import { apiRoutes, inactiveQuery, labelsSchema, orderSchema, pathId } from './params.js';

const MANAGE = 'crm.settings.manage';
const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');

const itemProperties = {
  name: { type: 'string', minLength: 1, maxLength: 190, pattern: '\\S' },
  labels: labelsSchema,
  color: { anyOf: [{ type: 'string', pattern: '^#[0-9a-fA-F]{6}$' }, { type: 'null' }] },
  sort: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  active: { type: 'boolean' },
};

function dictionaryOf(req: Request): DictionaryName {
  const name = String(req.params.name);
  if (!(DICTIONARIES as string[]).includes(name)) throw notFound();
  return name as DictionaryName;
}

export function registerDictionaryRoutes(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const dictionaries = () => ctx.get<DictionariesService>(CrmTokens.Dictionaries);

  /** The item with the path's id, when it belongs to the path's dictionary. */
  async function itemOf(req: Request): Promise<DictionaryItem> {
    const dictionary = dictionaryOf(req);
    const item = await dictionaries().get(pathId(req));
    if (!item || item.dictionary !== dictionary) throw notFound();
    return item;
  }

  route({
    method: 'get',
    path: '/dictionaries/:name',
    right: 'crm.access',
    summary: 'The items of status, category, client_type or source, in order (inactive ones with include_inactive=true)',
    query: inactiveQuery,
    handler: async (req, res) => {
      res.json({ items: await dictionaries().list(dictionaryOf(req), Boolean((req.query as { include_inactive?: boolean }).include_inactive)) });
    },
  });

  route({
    method: 'post',
    path: '/dictionaries/:name',
    right: MANAGE,
    summary: 'Add an item to a dictionary',
    body: { type: 'object', additionalProperties: false, required: ['name'], properties: itemProperties },
    handler: async (req, res) => {
      res.status(201).json(await dictionaries().create(dictionaryOf(req), req.body as DictionaryInput & { name: string }));
    },
  });

  route({
    method: 'post',
    path: '/dictionaries/:name/order',
    right: MANAGE,
    summary: "Put a dictionary's items in the order of `ids`",
    body: orderSchema,
    handler: async (req, res) => {
      const dictionary = dictionaryOf(req);
      await dictionaries().reorder(dictionary, (req.body as { ids: number[] }).ids);
      res.json({ items: await dictionaries().list(dictionary, true) });
    },
  });

  route({
    method: 'patch',
    path: '/dictionaries/:name/:id',
    right: MANAGE,
    summary: "Change a dictionary item's name, labels, colour, order or active flag",
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: itemProperties },
    handler: async (req, res) => {
      const item = await itemOf(req);
      res.json(await dictionaries().update(item.id, req.body as DictionaryInput));
    },
  });

  route({
    method: 'delete',
    path: '/dictionaries/:name/:id',
    right: MANAGE,
    summary: 'Delete a dictionary item; one still used by contacts is deactivated instead ({result: "deleted"|"deactivated"})',
    handler: async (req, res) => {
      const item = await itemOf(req);
      res.json({ result: await dictionaries().remove(item.id) });
    },
  });
}

/** Contacts: list, create, read, change (with a version), trash, restore and purge. */
import type { PluginContext } from '../../../../host/api.js';
import { CrmTokens, type ContactInput, type ContactKind, type ContactQueryService, type ContactsService } from '../../api.js';
import { redirectMerged } from '../../merge/merge-redirects.js';
import { createContactSchema, patchContactSchema } from '../../services/contact-input.js';
import { conditionParams, listQuerySchema, toListQuery } from './list-query.js';
import { apiRoutes, pathId } from './params.js';

export function registerContactRoutes(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const contacts = () => ctx.get<ContactsService>(CrmTokens.Contacts);
  const query = () => ctx.get<ContactQueryService>(CrmTokens.ContactQuery);

  route({
    method: 'get',
    path: '/contacts',
    right: 'crm.access',
    summary: 'List contacts: q, filters, custom.<key>[.from|.to], condition.<plugin>.<id> (JSON), sort, keyset cursor',
    query: listQuerySchema,
    before: [conditionParams(ctx)],
    handler: async (req, res) => {
      res.json(await query().list(req.user!, toListQuery(req.query as Record<string, unknown>)));
    },
  });

  route({
    method: 'post',
    path: '/contacts',
    right: 'crm.contacts.create',
    summary: 'Create a person or a company',
    body: createContactSchema,
    handler: async (req, res) => {
      res.status(201).json(await contacts().create(req.user!, req.body as ContactInput & { kind: ContactKind }));
    },
  });

  route({
    method: 'get',
    path: '/contacts/:id',
    right: 'crm.access',
    summary: 'One contact; a merged contact answers 301 with Location: /api/v1/contacts/<master id> when the caller may see the master',
    handler: async (req, res) => {
      const id = pathId(req);
      try {
        res.json(await contacts().get(req.user!, id));
      } catch (err) {
        await redirectMerged(ctx, req, res, id, err, '/api/v1/contacts');
      }
    },
  });

  route({
    method: 'patch',
    path: '/contacts/:id',
    right: 'crm.contacts.edit',
    summary: 'Change a contact; `version` must be the current one, else 409 with the current values in details.current',
    body: patchContactSchema,
    handler: async (req, res) => {
      const id = pathId(req);
      const { version, ...input } = req.body as ContactInput & { version: number };
      res.json(await contacts().update(req.user!, id, input, version));
    },
  });

  route({
    method: 'delete',
    path: '/contacts/:id',
    right: 'crm.contacts.delete',
    summary: 'Move a contact to the trash',
    handler: async (req, res) => {
      await contacts().remove(req.user!, pathId(req));
      res.status(204).end();
    },
  });

  route({
    method: 'post',
    path: '/contacts/:id/restore',
    right: 'crm.contacts.delete',
    summary: 'Restore a contact from the trash',
    handler: async (req, res) => {
      res.json(await contacts().restore(req.user!, pathId(req)));
    },
  });

  route({
    method: 'delete',
    path: '/contacts/:id/purge',
    right: 'crm.trash.purge',
    summary: 'Delete a contact in the trash for good',
    handler: async (req, res) => {
      await contacts().purge(req.user!, pathId(req));
      res.status(204).end();
    },
  });
}

/**
 * The REST API: `GET|POST /api/v1/classes`, `PATCH|DELETE /api/v1/classes/:id`, and a contact's
 * per-card grants `GET|POST /api/v1/contacts/:id/grants`, `DELETE /api/v1/contacts/:id/grants/:grantId`.
 * A contact's class itself is set with `PATCH /api/v1/contacts/:id {class_id, version}` (the CRM's).
 */
import type { PluginContext, RouteDefinition } from '../../../host/api.js';
import { AccessTokens, ACCESS_LEVELS, RIGHTS, type ClassesService, type GrantsService } from '../api.js';
import { pathId } from './support.js';

const name = { type: 'string', minLength: 1, maxLength: 190, pattern: '\\S' };
const color = { type: ['string', 'null'], pattern: '^#[0-9a-fA-F]{6}$' };
const sort = { type: 'integer', minimum: 0, maximum: 1000000 };

export function registerApi(ctx: PluginContext): void {
  const classes = () => ctx.get<ClassesService>(AccessTokens.Classes);
  const grants = () => ctx.get<GrantsService>(AccessTokens.Grants);
  const route = (r: Omit<RouteDefinition, 'api'> & { summary: string; right: string }) => ctx.route({ ...r, api: true });

  route({
    method: 'get',
    path: '/classes',
    right: 'crm.access',
    summary: 'Contact classes in their order',
    handler: async (_req, res) => {
      res.json({ items: await classes().list() });
    },
  });

  route({
    method: 'post',
    path: '/classes',
    right: RIGHTS.manageClasses,
    summary: 'Create a contact class',
    body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name, color, sort } },
    handler: async (req, res) => {
      res.status(201).json(await classes().create(req.body));
    },
  });

  route({
    method: 'patch',
    path: '/classes/:id',
    right: RIGHTS.manageClasses,
    summary: 'Rename, recolour or move a contact class',
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name, color, sort } },
    handler: async (req, res) => {
      res.json(await classes().update(pathId(req), req.body));
    },
  });

  route({
    method: 'delete',
    path: '/classes/:id',
    right: RIGHTS.manageClasses,
    summary: 'Delete a contact class; its contacts become unclassified (answers how many)',
    handler: async (req, res) => {
      res.json(await classes().remove(req.user!, pathId(req)));
    },
  });

  route({
    method: 'get',
    path: '/contacts/:id/grants',
    right: 'crm.access',
    summary: "A contact's per-card grants (who else may see or edit it)",
    handler: async (req, res) => {
      res.json({ items: await grants().list(req.user!, pathId(req)) });
    },
  });

  route({
    method: 'post',
    path: '/contacts/:id/grants',
    right: 'crm.contacts.edit',
    summary: 'Grant a named user or group access to one contact (view or edit)',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['level'],
      properties: { user_id: { type: 'integer', minimum: 1 }, group_id: { type: 'integer', minimum: 1 }, level: { enum: [...ACCESS_LEVELS] } },
    },
    handler: async (req, res) => {
      const { grant, created } = await grants().add(req.user!, pathId(req), req.body);
      res.status(created ? 201 : 200).json(grant);
    },
  });

  route({
    method: 'delete',
    path: '/contacts/:id/grants/:grantId',
    right: 'crm.contacts.edit',
    summary: 'Remove a per-card grant',
    handler: async (req, res) => {
      await grants().remove(req.user!, pathId(req), pathId(req, 'grantId'));
      res.status(204).end();
    },
  });
}

/**
 * REST: tags (`/api/v1/tags`, counts inside the caller's access scope; changes need tags.manage)
 * and a contact's tags (`/api/v1/contacts/:id/tags`: 404 for a contact the caller may not see,
 * 403 for one they may not edit).
 */
import { HttpError, type PluginContext } from '../../../host/api.js';
import { idParam, services } from './support.js';

const NAME = { type: 'string', minLength: 1, maxLength: 200 };
const COLOR = { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' };

export function registerApi(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/tags',
    api: true,
    right: 'crm.access',
    query: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 10000 } } },
    summary: 'Tags by name with `count`: contacts the caller may see that carry each; `q` matches names',
    handler: async (req, res) => {
      const q = req.query as { q?: string; limit?: number };
      res.json({ items: await services(ctx).tags.list(req.user!, { q: q.q, limit: q.limit }) });
    },
  });

  ctx.route({
    method: 'post',
    path: '/tags',
    api: true,
    right: 'tags.manage',
    body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: NAME, color: COLOR } },
    summary: 'Create a tag: {name, color?}; 409 when the name exists in any letter case',
    handler: async (req, res) => {
      const body = req.body as { name: string; color?: string };
      res.status(201).json(await services(ctx).tags.create(body.name, body.color));
    },
  });

  ctx.route({
    method: 'patch',
    path: '/tags/:id',
    api: true,
    right: 'tags.manage',
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name: NAME, color: COLOR } },
    summary: 'Rename or recolour a tag: {name?, color?}; a name another tag has merges into it (`merged: true`)',
    handler: async (req, res) => {
      const { tag, merged } = await services(ctx).tags.update(idParam(req), req.body as { name?: string; color?: string }, req.user!.id);
      res.json({ ...tag, merged });
    },
  });

  ctx.route({
    method: 'delete',
    path: '/tags/:id',
    api: true,
    right: 'tags.manage',
    summary: 'Delete a tag and take it off every contact (history per contact)',
    handler: async (req, res) => {
      await services(ctx).tags.remove(idParam(req), req.user!.id);
      res.status(204).end();
    },
  });

  ctx.route({
    method: 'post',
    path: '/tags/:id/merge',
    api: true,
    right: 'tags.manage',
    body: { type: 'object', additionalProperties: false, required: ['into_id'], properties: { into_id: { type: 'integer', minimum: 1 } } },
    summary: 'Merge a tag into another: {into_id}; its contacts get that tag and it is deleted',
    handler: async (req, res) => {
      const { tag, contacts } = await services(ctx).tags.merge([idParam(req)], (req.body as { into_id: number }).into_id, req.user!.id);
      res.json({ ...tag, contacts });
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/tags',
    api: true,
    right: 'crm.access',
    summary: "A contact's tags (404 for a contact the caller may not see)",
    handler: async (req, res) => {
      res.json({ items: await services(ctx).contactTags.ofContact(req.user!, idParam(req)) });
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/tags',
    api: true,
    right: 'crm.contacts.edit',
    body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: NAME } },
    summary: 'Tag a contact: {name}; a new name creates the tag. 201 when added, 200 when it was there',
    handler: async (req, res) => {
      const { tags, added } = await services(ctx).contactTags.add(req.user!, idParam(req), (req.body as { name: string }).name);
      res.status(added ? 201 : 200).json({ items: tags });
    },
  });

  ctx.route({
    method: 'delete',
    path: '/contacts/:id/tags/:tagId',
    api: true,
    right: 'crm.contacts.edit',
    summary: 'Take a tag off a contact',
    handler: async (req, res) => {
      const id = idParam(req);
      const tagId = idParam(req, 'tagId');
      if (!(await services(ctx).tags.get(tagId))) {
        await services(ctx).scope.assertVisible(req.user!, id); // an invisible contact stays a 404 whatever the tag
        throw new HttpError(404, 'not_found', 'host:errors.not_found');
      }
      await services(ctx).contactTags.remove(req.user!, id, tagId);
      res.status(204).end();
    },
  });
}

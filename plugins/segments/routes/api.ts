/**
 * REST: segments (`/api/v1/segments`): the caller's own and the shared ones; a segment with its
 * `count` of contacts the caller may see; a page of its contacts through the CRM's query service;
 * members of static segments. 404 for another user's personal segment, 403 for a segment the
 * caller sees but may not change.
 */
import type { Request } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import { SEGMENT_TYPES, type Segment, type SegmentInput, type SegmentType } from '../api.js';
import { idParam, services } from './support.js';

const NAME = { type: 'string', minLength: 1, maxLength: 200 };
const COLOR = { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' };
const SCALAR = [{ type: 'string', maxLength: 10_000 }, { type: 'number' }, { type: 'boolean' }];
/** The list's filter parameters; a `condition.*` value may be given as an object instead of JSON text. */
const FILTER = {
  type: 'object',
  maxProperties: 100,
  additionalProperties: { anyOf: [...SCALAR, { type: 'array', maxItems: 100, items: { anyOf: SCALAR } }, { type: 'object' }] },
};
const SOURCE = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', maxLength: 190 }, params: { type: 'object' } } };
const IDS = { type: 'object', additionalProperties: false, required: ['ids'], properties: { ids: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'integer', minimum: 1 } } } };

export function registerApi(ctx: PluginContext): void {
  /** The segment with its count; a saved filter that no longer works gives `count: null` and why. */
  const withCount = async (req: Request, segment: Segment) => {
    try {
      const count = await services(ctx).segments.count(req.user!, segment.id);
      return { ...segment, count: count.total, count_capped: count.capped };
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 400) throw err;
      return { ...segment, count: null, count_capped: false, count_error: req.t(err.messageKey, err.params ?? {}) };
    }
  };

  ctx.route({
    method: 'get',
    path: '/segments',
    api: true,
    right: 'crm.access',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { archived: { enum: ['true', 'false', 'all'], default: 'false' }, count: { type: 'boolean', default: false } },
    },
    summary: 'Segments the caller sees (own and shared), by name; `archived=true|all`; `count=true` adds each one’s count',
    handler: async (req, res) => {
      const q = req.query as unknown as { archived: 'true' | 'false' | 'all'; count: boolean };
      const segments = await services(ctx).segments.list(req.user!, { archived: q.archived === 'all' ? 'all' : q.archived === 'true' });
      res.json({ items: q.count ? await Promise.all(segments.map((s) => withCount(req, s))) : segments });
    },
  });

  ctx.route({
    method: 'post',
    path: '/segments',
    api: true,
    right: 'crm.access',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type'],
      properties: {
        name: NAME,
        type: { enum: [...SEGMENT_TYPES] },
        color: COLOR,
        shared: { type: 'boolean' },
        archived: { type: 'boolean' },
        filter: FILTER,
        source: SOURCE,
        contact_ids: IDS.properties.ids,
      },
    },
    summary: 'Create a segment: {name, type: static|dynamic|source, color?, shared?, filter? (dynamic: list parameters), source? {id, params}, contact_ids? (static)}',
    handler: async (req, res) => {
      const body = req.body as SegmentInput & { name: string; type: SegmentType; contact_ids?: number[] };
      const segment = await services(ctx).segments.create(req.user!, body);
      res.status(201).json(await withCount(req, segment));
    },
  });

  ctx.route({
    method: 'get',
    path: '/segments/:id',
    api: true,
    right: 'crm.access',
    summary: 'A segment with `count`: its contacts the caller may see',
    handler: async (req, res) => {
      res.json(await withCount(req, await services(ctx).segments.get(req.user!, idParam(req))));
    },
  });

  ctx.route({
    method: 'patch',
    path: '/segments/:id',
    api: true,
    right: 'crm.access',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { name: NAME, color: COLOR, shared: { type: 'boolean' }, archived: { type: 'boolean' }, filter: FILTER, source: SOURCE },
    },
    summary: 'Change a segment: {name?, color?, shared?, archived?, filter? (dynamic), source? (source)}',
    handler: async (req, res) => {
      const segment = await services(ctx).segments.update(req.user!, idParam(req), req.body as SegmentInput);
      res.json(await withCount(req, segment));
    },
  });

  ctx.route({
    method: 'delete',
    path: '/segments/:id',
    api: true,
    right: 'crm.access',
    summary: 'Delete a segment (its contacts stay); 409 while another segment’s filter uses it',
    handler: async (req, res) => {
      await services(ctx).segments.remove(req.user!, idParam(req));
      res.status(204).end();
    },
  });

  ctx.route({
    method: 'get',
    path: '/segments/:id/contacts',
    api: true,
    right: 'crm.access',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        cursor: { type: 'string', maxLength: 1000 },
        sort: { type: 'string', maxLength: 80 },
        order: { enum: ['asc', 'desc'] },
      },
    },
    summary: 'A page of the segment’s contacts the caller may see: {items, next_cursor, total, total_capped}',
    handler: async (req, res) => {
      const q = req.query as unknown as { limit: number; cursor?: string; sort?: string; order?: 'asc' | 'desc' };
      res.json(await services(ctx).segments.contacts(req.user!, idParam(req), { limit: q.limit, cursor: q.cursor, sort: q.sort, order: q.order }));
    },
  });

  ctx.route({
    method: 'post',
    path: '/segments/:id/members',
    api: true,
    right: 'crm.contacts.edit',
    body: IDS,
    summary: 'Add contacts to a static segment: {ids}; contacts the caller may not see are skipped. Returns {changed, count}',
    handler: async (req, res) => {
      const id = idParam(req);
      const s = services(ctx).segments;
      const { changed } = await s.addMembers(req.user!, id, (req.body as { ids: number[] }).ids);
      res.json({ changed, count: (await s.count(req.user!, id)).total });
    },
  });

  ctx.route({
    method: 'delete',
    path: '/segments/:id/members',
    api: true,
    right: 'crm.contacts.edit',
    body: IDS,
    summary: 'Take contacts out of a static segment: {ids}. Returns {changed, count}',
    handler: async (req, res) => {
      const id = idParam(req);
      const s = services(ctx).segments;
      const { changed } = await s.removeMembers(req.user!, id, (req.body as { ids: number[] }).ids);
      res.json({ changed, count: (await s.count(req.user!, id)).total });
    },
  });
}

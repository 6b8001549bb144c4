/**
 * The Segments page (`/segments`: the user's and the shared segments, active or archived, with
 * counts; new static and source segments; rename, share, archive, delete) and a segment's page
 * (`/segments/:id`: its definition, a preview of its contacts and the way to the filtered list).
 * Plain forms that redirect back with a message.
 */
import type { Request } from 'express';
import { TOKENS, type ExtensionRegistry, type PluginContext } from '../../../host/api.js';
import { segmentSources } from '../../crm/api.js';
import { MANAGE_SHARED, type Segment } from '../api.js';
import { PALETTE } from '../services/colors.js';
import { queryStringOf } from '../services/filter-params.js';
import { describeFilter } from './describe-filter.js';
import { attempt, checked, idParam, safeBack, segmentModel, services, str } from './support.js';

const PAGE = '/segments';
const PREVIEW = 10;

/** Back to where the form was posted from: the Segments page (either tab) or a segment's page. */
const backTo = (req: Request, fallback = PAGE) => safeBack((req.body as Record<string, unknown> | undefined)?.back, fallback, [PAGE]);

function sourcesFor(ctx: PluginContext, req: Request) {
  return ctx
    .get<ExtensionRegistry>(TOKENS.Extensions)
    .list(segmentSources, req.user)
    .map((s) => ({ id: `${s.pluginId}.${s.id}`, title: req.t(s.title) }));
}

/** What a segment is made of: a dynamic one's filter in words and the list link that applies it, a source, or a list. */
async function definitionOf(ctx: PluginContext, req: Request, segment: Segment) {
  if (segment.type === 'dynamic') {
    const filter = segment.filter ?? {};
    return { params: await describeFilter(ctx, req, filter), openHref: `/crm/contacts?${queryStringOf(filter)}` };
  }
  if (segment.type === 'source') {
    const source = sourcesFor(ctx, req).find((s) => s.id === segment.source?.id);
    return { source: source?.title ?? segment.source?.id ?? '', sourceMissing: !source, sourceParams: JSON.stringify(segment.source?.params ?? {}) };
  }
  return { static: true };
}

export function registerPages(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/',
    right: 'crm.access',
    query: { type: 'object', properties: { archived: { type: 'boolean' } } },
    summary: 'Segments: the user’s own and the shared ones, with counts',
    handler: async (req, res) => {
      const archived = (req.query as { archived?: boolean }).archived === true;
      const s = services(ctx);
      const segments = await s.segments.list(req.user!, { archived });
      res.type('html').send(
        await s.views.renderPage(req, 'segments/list', {
          title: req.t('segments:page.title'),
          archived,
          back: archived ? `${PAGE}?archived=true` : PAGE,
          segments: segments.map((segment) => segmentModel(req, segment)),
          canShare: req.user!.can(MANAGE_SHARED),
          sources: sourcesFor(ctx, req),
          palette: PALETTE,
          styles: ['/assets/p/segments/segments.css'],
        }),
      );
    },
  });

  ctx.route({
    method: 'post',
    path: '/',
    right: 'crm.access',
    summary: 'Create a static segment (or one from a contributed source)',
    handler: async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const sourceId = str(body.source_id);
      await attempt(req, res, PAGE, async () => {
        const created = await services(ctx).segments.create(req.user!, {
          name: str(body.name) ?? '',
          color: str(body.color) || undefined,
          shared: checked(body.shared),
          ...(sourceId ? { type: 'source' as const, source: { id: sourceId, params: {} } } : { type: 'static' as const }),
        });
        // The new segment's page is where one goes next.
        return { message: req.t('segments:page.created', { name: created.name }), to: `${PAGE}/${created.id}` };
      });
    },
  });

  ctx.route({
    method: 'get',
    path: '/:id',
    right: 'crm.access',
    summary: 'A segment: its definition, a preview of its contacts and a link to the filtered list',
    handler: async (req, res) => {
      const id = idParam(req);
      const s = services(ctx);
      const segment = await s.segments.get(req.user!, id); // 404 unless visible
      let preview: Array<{ id: number; name: string; href: string }> = [];
      let previewFailed = false;
      try {
        preview = (await s.segments.contacts(req.user!, id, { limit: PREVIEW })).items.map((c) => ({ id: c.id, name: c.name || '—', href: `/crm/contacts/${c.id}` }));
      } catch {
        previewFailed = true; // a broken saved filter: the page says so and still offers its settings
      }
      res.type('html').send(
        await s.views.renderPage(req, 'segments/segment', {
          title: segment.name,
          segment: segmentModel(req, segment),
          definition: await definitionOf(ctx, req, segment),
          preview,
          previewFailed,
          removable: segment.type === 'static' && segment.editable && req.user!.can('crm.contacts.edit'),
          back: `${PAGE}/${id}`,
          palette: PALETTE,
          styles: ['/assets/p/segments/segments.css'],
        }),
      );
    },
  });

  ctx.route({
    method: 'post',
    path: '/:id',
    right: 'crm.access',
    summary: 'Rename or recolour a segment',
    handler: async (req, res) => {
      const id = idParam(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      await attempt(req, res, backTo(req), async () => {
        const segment = await services(ctx).segments.update(req.user!, id, { name: str(body.name), color: str(body.color) || undefined });
        return req.t('segments:page.saved', { name: segment.name });
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/:id/share',
    right: 'crm.access',
    summary: 'Share a segment with everyone, or make it personal again (segments.manage_shared)',
    handler: async (req, res) => {
      const id = idParam(req);
      const shared = checked((req.body as Record<string, unknown> | undefined)?.shared);
      await attempt(req, res, backTo(req), async () => {
        const segment = await services(ctx).segments.update(req.user!, id, { shared });
        return req.t(shared ? 'segments:page.shared_done' : 'segments:page.unshared_done', { name: segment.name });
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/:id/archive',
    right: 'crm.access',
    summary: 'Archive a segment, or bring it back',
    handler: async (req, res) => {
      const id = idParam(req);
      const archived = checked((req.body as Record<string, unknown> | undefined)?.archived);
      await attempt(req, res, backTo(req), async () => {
        const segment = await services(ctx).segments.update(req.user!, id, { archived });
        return req.t(archived ? 'segments:page.archived_done' : 'segments:page.restored_done', { name: segment.name });
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/:id/delete',
    right: 'crm.access',
    summary: 'Delete a segment (its contacts stay)',
    handler: async (req, res) => {
      const id = idParam(req);
      const s = services(ctx);
      // After a delete there is no segment page to go back to.
      const back = backTo(req).startsWith(`${PAGE}/${id}`) ? PAGE : backTo(req);
      await attempt(req, res, back, async () => {
        const segment = await s.segments.get(req.user!, id);
        await s.segments.remove(req.user!, id);
        return req.t('segments:page.deleted', { name: segment.name });
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/:id/members/remove',
    right: 'crm.contacts.edit',
    summary: 'Take a contact out of a static segment (from the segment’s page)',
    handler: async (req, res) => {
      const id = idParam(req);
      const contactId = Number((req.body as Record<string, unknown> | undefined)?.contact_id);
      await attempt(req, res, `${PAGE}/${id}`, async () => {
        const { changed } = await services(ctx).segments.removeMembers(req.user!, id, [contactId]);
        return req.t('segments:page.members_removed', { count: changed });
      });
    },
  });
}

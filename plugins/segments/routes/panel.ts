/**
 * The Segments panel beside the client list: the user's own segments and the shared ones, each a
 * link that filters the list (`?segment_id=`), with its count loaded on its own afterwards so
 * counting never holds the list; and "Save the current filter as a segment", which takes the
 * list page's query string.
 */
import type { Request } from 'express';
import { HttpError, flash, type PluginContext } from '../../../host/api.js';
import type { ListPanel } from '../../crm/api.js';
import { MANAGE_SHARED, type SegmentCount } from '../api.js';
import { canonicalFilter, paramsOfQueryString } from '../services/filter-params.js';
import { PLAIN_PARAM } from '../services/segment-index.js';
import { checked, idParam, messageOf, safeBack, segmentModel, services, str } from './support.js';

const LIST = '/crm/contacts';
/** Segments shown per group in the panel; the rest are on the Segments page. */
export const PANEL_LIMIT = 25;

/** The list page's query string as it came (repeated names and their order kept). */
function queryStringOf(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at < 0 ? '' : req.originalUrl.slice(at + 1);
}

export function countText(req: Request, count: SegmentCount): { text: string; title: string } {
  const formatted = new Intl.NumberFormat(req.language).format(count.total);
  return {
    text: count.capped ? `${formatted}+` : formatted,
    title: req.t(count.capped ? 'segments:count.capped' : 'segments:count.exact', { count: count.total, formatted }),
  };
}

export async function renderPanel(ctx: PluginContext, req: Request): Promise<string> {
  const user = req.user!;
  const s = services(ctx);
  const active = Number(([] as unknown[]).concat(req.query[PLAIN_PARAM] ?? [])[0]);
  const items = (await s.segments.list(user)).map((segment) => ({ ...segmentModel(req, segment), active: segment.id === active }));
  const groups = [
    { key: 'mine', title: req.t('segments:panel.mine'), items: items.filter((i) => !i.shared) },
    { key: 'shared', title: req.t('segments:panel.shared'), items: items.filter((i) => i.shared) },
  ]
    .filter((g) => g.items.length)
    .map((g) => ({ ...g, more: Math.max(0, g.items.length - PANEL_LIMIT), items: g.items.slice(0, PANEL_LIMIT) }));
  const query = queryStringOf(req);
  const filters = Object.keys(canonicalFilter(paramsOfQueryString(query)));
  return s.views.renderPartial(req, 'segments/panel', {
    groups,
    active: items.some((i) => i.active),
    // Saving is offered for a filtered list (a list filtered only by one segment is that segment already).
    filtered: filters.length > 0 && !(filters.length === 1 && filters[0] === PLAIN_PARAM),
    query,
    back: `${LIST}${query ? `?${query}` : ''}`,
    canShare: user.can(MANAGE_SHARED),
  });
}

export const segmentsPanel = (ctx: PluginContext): ListPanel => ({
  id: 'segments',
  order: 10,
  right: 'crm.access',
  render: (req) => renderPanel(ctx, req),
});

export function registerPanel(ctx: PluginContext): void {
  ctx.route({
    method: 'post',
    path: '/from-list',
    right: 'crm.access',
    summary: 'Save the client list’s current filter as a dynamic segment (form from the Segments panel)',
    handler: async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const back = safeBack(body.back, LIST, [LIST]);
      try {
        const segment = await services(ctx).segments.create(req.user!, {
          name: str(body.name) ?? '',
          type: 'dynamic',
          shared: checked(body.shared),
          filter: paramsOfQueryString(str(body.query) ?? ''),
        });
        flash(req, 'success', req.t('segments:panel.saved', { name: segment.name }));
      } catch (err) {
        if (!(err instanceof HttpError) || err.status >= 500) throw err;
        flash(req, 'danger', messageOf(req, err));
      }
      res.redirect(303, back);
    },
  });

  ctx.route({
    method: 'get',
    path: '/:id/count',
    right: 'crm.access',
    summary: 'The number of contacts of a segment the user may see (htmx fragment of the Segments panel and pages)',
    handler: async (req, res) => {
      const id = idParam(req);
      const s = services(ctx);
      let data: Record<string, unknown>;
      try {
        data = countText(req, await s.segments.count(req.user!, id));
      } catch (err) {
        // A saved filter that no longer works (a field removed, a plugin disabled) marks its own count only.
        if (!(err instanceof HttpError) || err.status === 404 || err.status >= 500) throw err;
        data = { failed: true, title: messageOf(req, err) };
      }
      res.set('Cache-Control', 'no-store').type('html').send(await s.views.renderPartial(req, 'segments/count', data));
    },
  });
}

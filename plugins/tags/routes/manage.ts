/**
 * Administration of tags (`/tags/manage`, right tags.manage, in the host's Administration menu):
 * the tags with their counts; create, rename (a name that exists merges into that tag),
 * recolour, merge selected tags into one, delete. Plain forms that redirect back with a message.
 */
import type { Request, Response } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import { chip, flash, idParam, messageOf, services } from './support.js';

const RIGHT = 'tags.manage';
const PAGE = '/tags/manage';

/** Runs a change; a refused one (4xx) becomes a red message on the page instead of an error page. */
async function attempt(req: Request, res: Response, back: string, change: () => Promise<string>): Promise<void> {
  try {
    flash(req, 'success', await change());
  } catch (err) {
    if (!(err instanceof HttpError) || err.status >= 500) throw err;
    flash(req, 'danger', messageOf(req, err));
  }
  res.redirect(303, back);
}

/** Back to the page with the search the form was posted from. */
function backTo(req: Request): string {
  const q = typeof req.body?.q === 'string' && req.body.q.trim() ? req.body.q.trim().slice(0, 100) : '';
  return q ? `${PAGE}?${new URLSearchParams({ q })}` : PAGE;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function registerManage(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/manage',
    right: RIGHT,
    query: { type: 'object', properties: { q: { type: 'string', maxLength: 100 } } },
    summary: 'Administration of tags',
    handler: async (req, res) => {
      const q = String((req.query as { q?: string }).q ?? '').trim();
      const s = services(ctx);
      const [tags, all] = await Promise.all([s.tags.list(req.user!, { q }), q ? s.tags.list(req.user!) : null]);
      res.type('html').send(
        await s.views.renderPage(req, 'tags/manage', {
          title: req.t('tags:manage.title'),
          q,
          tags: tags.map((t) => ({ ...chip(t), color: t.color, count: t.count })),
          all: (all ?? tags).map((t) => ({ id: t.id, name: t.name })),
          total: (all ?? tags).length,
          styles: ['/assets/p/tags/tags.css'],
          scripts: ['/assets/p/tags/manage.js'],
        }),
      );
    },
  });

  ctx.route({
    method: 'post',
    path: '/manage',
    right: RIGHT,
    summary: 'Create a tag',
    handler: async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      await attempt(req, res, backTo(req), async () => {
        const tag = await services(ctx).tags.create(str(body.name) ?? '', str(body.color) || undefined);
        return req.t('tags:manage.created', { name: tag.name });
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/manage/merge',
    right: RIGHT,
    summary: 'Merge the selected tags into one',
    handler: async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const ids = ([] as unknown[]).concat(body.ids ?? []).map(Number).filter((n) => Number.isInteger(n) && n > 0);
      const into = Number(body.into_id);
      await attempt(req, res, backTo(req), async () => {
        if (!ids.length || !Number.isInteger(into) || into < 1) throw new HttpError(400, 'invalid_input', 'tags:errors.merge_pick');
        const { tag, contacts } = await services(ctx).tags.merge(ids, into, req.user!.id);
        return req.t('tags:manage.merged', { name: tag.name, count: contacts });
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/manage/:id',
    right: RIGHT,
    summary: 'Rename or recolour a tag (a name that exists merges into that tag)',
    handler: async (req, res) => {
      const id = idParam(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      await attempt(req, res, backTo(req), async () => {
        const before = await services(ctx).tags.get(id);
        const { tag, merged } = await services(ctx).tags.update(id, { name: str(body.name), color: str(body.color) || undefined }, req.user!.id);
        return merged ? req.t('tags:manage.renamed_merged', { from: before?.name ?? '', name: tag.name }) : req.t('tags:manage.saved', { name: tag.name });
      });
    },
  });

  ctx.route({
    method: 'post',
    path: '/manage/:id/delete',
    right: RIGHT,
    summary: 'Delete a tag, taking it off every contact',
    handler: async (req, res) => {
      const id = idParam(req);
      await attempt(req, res, backTo(req), async () => {
        const tag = await services(ctx).tags.get(id);
        const { contacts } = await services(ctx).tags.remove(id, req.user!.id);
        return req.t('tags:manage.deleted', { name: tag?.name ?? '', count: contacts });
      });
    },
  });
}

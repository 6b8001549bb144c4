/**
 * The classes admin page (`/access/classes`, right access.classes.manage): the classes in their
 * order with their colour, the groups they open to and how many clients they hold; drag to
 * reorder; an add / edit form beside the list; delete, which leaves the class's clients unclassified.
 */
import type { Request, Response } from 'express';
import { TOKENS, type FieldError, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import { AccessTokens, RIGHTS, type ClassesService, type ContactClass } from '../api.js';
import type { ClassesServiceImpl } from '../services/classes-service.js';
import { notFound } from '../services/errors.js';
import type { GroupAccessStore } from '../services/group-access.js';
import { classBadge, errorMap, formBody, formErrors, pathId, redirectWithFlash, text } from './support.js';

export const CLASSES_URL = '/access/classes';
/** Colours offered for a new class, in turn; any other may be picked. */
export const PALETTE = ['#0d6efd', '#198754', '#fd7e14', '#6f42c1', '#d63384', '#20c997', '#0dcaf0', '#6c757d'];

interface ClassForm {
  id?: number;
  name: string;
  color: string;
}

export function registerClassesPages(ctx: PluginContext): void {
  const classes = () => ctx.get<ClassesService>(AccessTokens.Classes);
  const views = () => ctx.get<ViewRenderer>(TOKENS.Views);

  const render = async (req: Request, res: Response, form: ClassForm | null, errors: FieldError[] = [], status = 200) => {
    const list = await classes().list();
    const counts = await ctx.get<ClassesServiceImpl>(AccessTokens.Classes).counts(req.user!);
    const groups = await ctx.get<GroupAccessStore>(AccessTokens.GroupAccess).groupsByClass();
    const editing = form?.id ?? null;
    const value: ClassForm = form ?? { name: '', color: PALETTE[list.length % PALETTE.length]! };
    const preview = classBadge({ id: 0, name: value.name || req.t('access:classes.preview_placeholder'), color: /^#[0-9a-f]{6}$/.test(value.color) ? value.color : null, sort: 0 });
    res.status(status).type('html').send(
      await views().renderPage(req, 'access/classes', {
        title: req.t('access:classes.title'),
        scripts: ['/assets/vendor/sortablejs/Sortable.min.js', '/assets/p/access/classes.js'],
        classes: list.map((c: ContactClass) => ({
          ...classBadge(c),
          count: counts.get(c.id) ?? 0,
          groups: groups.get(c.id) ?? [],
          editing: c.id === editing,
        })),
        form: { ...value, editing: editing !== null, action: editing ? `${CLASSES_URL}/${editing}` : CLASSES_URL, preview },
        palette: PALETTE,
        errors: errorMap(req, errors),
        hasErrors: errors.length > 0,
      }),
    );
  };

  const posted = (req: Request, id?: number): ClassForm => {
    const b = formBody(req);
    return { id, name: text(b.name).trim(), color: text(b.color).trim().toLowerCase() };
  };

  ctx.route({ method: 'get', path: '/classes', right: RIGHTS.manageClasses, handler: (req, res) => render(req, res, null) });

  ctx.route({
    method: 'get',
    path: '/classes/:id',
    right: RIGHTS.manageClasses,
    handler: async (req, res) => {
      const found = await classes().get(pathId(req));
      if (!found) throw notFound();
      await render(req, res, { id: found.id, name: found.name, color: found.color ?? '' });
    },
  });

  ctx.route({
    method: 'post',
    path: '/classes',
    right: RIGHTS.manageClasses,
    handler: async (req, res) => {
      const form = posted(req);
      try {
        const created = await classes().create({ name: form.name, color: form.color || null });
        await redirectWithFlash(req, res, 'success', req.t('access:classes.created', { name: created.name }), CLASSES_URL);
      } catch (err) {
        const { status, errors } = formErrors(err);
        await render(req, res, form, errors, status);
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/classes/order',
    right: RIGHTS.manageClasses,
    body: { type: 'object', required: ['ids'], properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'integer', minimum: 1 } } } },
    handler: async (req, res) => {
      await classes().reorder((req.body as { ids: number[] }).ids.map(Number));
      res.json({ ok: true });
    },
  });

  ctx.route({
    method: 'post',
    path: '/classes/:id',
    right: RIGHTS.manageClasses,
    handler: async (req, res) => {
      const form = posted(req, pathId(req));
      try {
        await classes().update(form.id!, { name: form.name, color: form.color || null });
        await redirectWithFlash(req, res, 'success', req.t('access:classes.saved', { name: form.name }), CLASSES_URL);
      } catch (err) {
        const { status, errors } = formErrors(err);
        await render(req, res, form, errors, status);
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/classes/:id/delete',
    right: RIGHTS.manageClasses,
    handler: async (req, res) => {
      const found = await classes().get(pathId(req));
      if (!found) throw notFound();
      const { unclassified } = await classes().remove(req.user!, found.id);
      await redirectWithFlash(req, res, 'success', req.t('access:classes.deleted', { name: found.name, count: unclassified }), CLASSES_URL);
    },
  });
}

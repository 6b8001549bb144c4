/** Groups (permission profiles): pages and `GET|POST /api/v1/groups`, `GET|PATCH|DELETE /api/v1/groups/:id`. */
import type { Request, Response } from 'express';
import {
  HttpError,
  TOKENS,
  type GroupRecord,
  type GroupsService,
  type HostServices,
  type PluginManager,
  type RightsRegistry,
  type ViewRenderer,
} from '../api.js';
import { flash } from '../http/authenticate.js';
import { translateDetails } from '../http/errors.js';
import type { RouteRegistry } from '../http/route-registry.js';

const RIGHT = 'host.users.manage';

export function groupJson(g: GroupRecord) {
  return { id: g.id, name: g.name, is_admin: g.isAdmin, rights: g.rights, members: g.memberCount };
}

const groupFields = {
  name: { type: 'string', minLength: 1, maxLength: 190 },
  rights: { type: 'array', items: { type: 'string', maxLength: 190 }, maxItems: 1000 },
} as const;

function intId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

export function registerGroupAdminRoutes(routes: RouteRegistry, services: HostServices): void {
  const groups = () => services.get<GroupsService>(TOKENS.Groups);
  const views = () => services.get<ViewRenderer>(TOKENS.Views);

  /** Rights grouped by the plugin that declares them, labelled in the user's language. */
  const rightSections = (req: Request, checked: string[]) => {
    const plugins = services.get<PluginManager>(TOKENS.Plugins);
    const sections = new Map<string, { id: string; title: string; rights: Array<{ id: string; label: string; checked: boolean }> }>();
    for (const r of services.get<RightsRegistry>(TOKENS.Rights).all()) {
      if (r.pluginId !== 'host' && !plugins.get(r.pluginId)) continue;
      const name = r.pluginId === 'host' ? 'host:admin.title' : plugins.get(r.pluginId)!.name;
      const title = typeof name === 'string' ? (req.t(name, { defaultValue: name }) as string) : (name[req.language] ?? name.en ?? r.pluginId);
      const section = sections.get(r.pluginId) ?? { id: r.pluginId, title, rights: [] };
      section.rights.push({ id: r.id, label: req.t(r.label, { plugin: title }) as string, checked: checked.includes(r.id) });
      sections.set(r.pluginId, section);
    }
    return [...sections.values()];
  };

  const form = async (req: Request, res: Response, group: Partial<GroupRecord> | null, errors?: unknown) =>
    res.type('html').send(
      await views().renderPage(req, 'host/admin/group-form', {
        title: group?.id ? group.name : req.t('host:groups.new'),
        group,
        sections: rightSections(req, group?.rights ?? []),
        errors: errors ?? null,
      }),
    );

  const formInput = (req: Request) => ({
    name: String(req.body.name ?? ''),
    rights: ([] as unknown[]).concat(req.body.rights ?? []).map(String),
  });

  const formErrors = (req: Request, err: unknown) => {
    if (err instanceof HttpError && (err.status === 400 || err.status === 409)) {
      return translateDetails(req, err.details) ?? [{ field: '', message: req.t(err.messageKey) }];
    }
    throw err;
  };

  routes.add('host', {
    method: 'get',
    path: '/admin/groups',
    right: RIGHT,
    handler: async (req, res) => {
      res.type('html').send(await views().renderPage(req, 'host/admin/groups', { title: req.t('host:admin.groups'), groups: await groups().list() }));
    },
  });

  routes.add('host', { method: 'get', path: '/admin/groups/new', right: RIGHT, handler: (req, res) => form(req, res, null) });

  routes.add('host', {
    method: 'post',
    path: '/admin/groups',
    right: RIGHT,
    handler: async (req, res) => {
      const input = formInput(req);
      try {
        if (!input.name.trim()) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'name', code: 'required', message: 'host:validation.required' }]);
        await groups().create(input);
        flash(req, 'success', req.t('host:groups.created', { name: input.name }));
        res.redirect('/admin/groups');
      } catch (err) {
        res.status(400);
        await form(req, res, input, formErrors(req, err));
      }
    },
  });

  routes.add('host', {
    method: 'get',
    path: '/admin/groups/:id',
    right: RIGHT,
    handler: async (req, res) => {
      const group = await groups().get(intId(req));
      if (!group) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      await form(req, res, group);
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/admin/groups/:id',
    right: RIGHT,
    handler: async (req, res) => {
      const id = intId(req);
      const existing = await groups().get(id);
      if (!existing) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      const input = formInput(req);
      try {
        await groups().update(id, existing.isAdmin ? { name: input.name } : input);
        flash(req, 'success', req.t('host:groups.saved'));
        res.redirect('/admin/groups');
      } catch (err) {
        res.status(400);
        await form(req, res, { ...existing, ...input }, formErrors(req, err));
      }
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/admin/groups/:id/delete',
    right: RIGHT,
    handler: async (req, res) => {
      try {
        await groups().remove(intId(req));
        flash(req, 'success', req.t('host:groups.deleted'));
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 409) throw err;
        flash(req, 'danger', req.t(err.messageKey));
      }
      res.redirect('/admin/groups');
    },
  });

  routes.add('host', { method: 'get', path: '/groups', api: true, right: RIGHT, summary: 'List groups', handler: async (_req, res) => res.json({ items: (await groups().list()).map(groupJson) }) });

  routes.add('host', {
    method: 'post',
    path: '/groups',
    api: true,
    right: RIGHT,
    summary: 'Create a group',
    body: { type: 'object', additionalProperties: false, properties: groupFields, required: ['name'] },
    handler: async (req, res) => res.status(201).json(groupJson(await groups().create(req.body))),
  });

  routes.add('host', {
    method: 'get',
    path: '/groups/:id',
    api: true,
    right: RIGHT,
    summary: 'One group',
    handler: async (req, res) => {
      const group = await groups().get(intId(req));
      if (!group) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      res.json(groupJson(group));
    },
  });

  routes.add('host', {
    method: 'patch',
    path: '/groups/:id',
    api: true,
    right: RIGHT,
    summary: 'Change a group',
    body: { type: 'object', additionalProperties: false, properties: groupFields, minProperties: 1 },
    handler: async (req, res) => res.json(groupJson(await groups().update(intId(req), req.body))),
  });

  routes.add('host', {
    method: 'delete',
    path: '/groups/:id',
    api: true,
    right: RIGHT,
    summary: 'Delete a group',
    handler: async (req, res) => {
      await groups().remove(intId(req));
      res.status(204).end();
    },
  });
}

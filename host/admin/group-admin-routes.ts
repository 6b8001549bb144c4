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
import { GroupExtensionsSupport } from './group-extensions.js';

const RIGHT = 'host.users.manage';

export function groupJson(g: GroupRecord, extra: Record<string, unknown> = {}) {
  return { id: g.id, name: g.name, is_admin: g.isAdmin, rights: g.rights, members: g.memberCount, ...extra };
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
  const extensions = new GroupExtensionsSupport(services);
  const withExtensions = async (list: GroupRecord[]) => {
    const values = await extensions.values(list.map((g) => g.id));
    return list.map((g) => groupJson(g, values.get(g.id)));
  };

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

  const form = async (req: Request, res: Response, group: Partial<GroupRecord> | null, errors?: unknown, extValues?: Record<string, unknown>) => {
    const values = extValues ?? (group?.id ? ((await extensions.values([group.id])).get(group.id) ?? {}) : {});
    res.type('html').send(
      await views().renderPage(req, 'host/admin/group-form', {
        title: group?.id ? group.name : req.t('host:groups.new'),
        group,
        sections: rightSections(req, group?.rights ?? []),
        extensionForms: group?.isAdmin ? [] : await extensions.forms(req, values),
        errors: errors ?? null,
      }),
    );
  };

  const formInput = (req: Request) => ({
    name: String(req.body.name ?? ''),
    rights: ([] as unknown[]).concat(req.body.rights ?? []).map(String),
  });

  /** Validates the whole form (extensions included) before anything is written. */
  const checkForm = async (input: { name: string }, ext: Record<string, unknown>) => {
    if (!input.name.trim()) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'name', code: 'required', message: 'host:validation.required' }]);
    await extensions.validate(extensions.schema({}, []), ext);
  };

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
      const ext = extensions.parseForms(req.body as Record<string, unknown>);
      try {
        await checkForm(input, ext);
        const created = await groups().create(input);
        await extensions.write(created.id, ext);
        flash(req, 'success', req.t('host:groups.created', { name: input.name }));
        res.redirect('/admin/groups');
      } catch (err) {
        res.status(400);
        await form(req, res, input, formErrors(req, err), ext);
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
      const ext = existing.isAdmin ? {} : extensions.parseForms(req.body as Record<string, unknown>);
      try {
        await checkForm(input, ext);
        await groups().update(id, existing.isAdmin ? { name: input.name } : input);
        await extensions.write(id, ext);
        flash(req, 'success', req.t('host:groups.saved'));
        res.redirect('/admin/groups');
      } catch (err) {
        res.status(400);
        await form(req, res, { ...existing, ...input }, formErrors(req, err), ext);
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

  routes.add('host', { method: 'get', path: '/groups', api: true, right: RIGHT, summary: 'List groups', handler: async (_req, res) => res.json({ items: await withExtensions(await groups().list()) }) });

  routes.add('host', {
    method: 'post',
    path: '/groups',
    api: true,
    right: RIGHT,
    summary: 'Create a group (plugins may add properties, e.g. classes and only_own)',
    body: { type: 'object' },
    handler: async (req, res) => {
      await extensions.validate(extensions.schema(groupFields, ['name']), req.body);
      const created = await groups().create({ name: req.body.name, rights: req.body.rights });
      await extensions.write(created.id, req.body);
      res.status(201).json((await withExtensions([created]))[0]);
    },
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
      res.json((await withExtensions([group]))[0]);
    },
  });

  routes.add('host', {
    method: 'patch',
    path: '/groups/:id',
    api: true,
    right: RIGHT,
    summary: 'Change a group',
    body: { type: 'object' },
    handler: async (req, res) => {
      const id = intId(req);
      if (!(await groups().get(id))) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      await extensions.validate(extensions.schema(groupFields, [], 1), req.body);
      const { name, rights } = req.body as { name?: string; rights?: string[] };
      const updated = name !== undefined || rights !== undefined ? await groups().update(id, { name, rights }) : (await groups().get(id))!;
      await extensions.write(id, req.body);
      res.json((await withExtensions([updated]))[0]);
    },
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

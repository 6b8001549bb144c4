/** Users: pages for administrators and `GET|POST /api/v1/users`, `GET|PATCH /api/v1/users/:id`. */
import type { Request, Response } from 'express';
import {
  HttpError,
  LANGUAGES,
  TOKENS,
  type GroupsService,
  type HostServices,
  type UserRecord,
  type UsersService,
  type ViewRenderer,
} from '../api.js';
import { flash } from '../http/authenticate.js';
import { translateDetails } from '../http/errors.js';
import type { RouteRegistry } from '../http/route-registry.js';

const RIGHT = 'host.users.manage';

const userFields = {
  email: { type: 'string', format: 'email', maxLength: 190 },
  name: { type: 'string', minLength: 1, maxLength: 190 },
  password: { type: 'string', minLength: 8, maxLength: 1000 },
  locale: { anyOf: [{ enum: [...LANGUAGES] }, { type: 'null' }] },
  groups: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 100 },
} as const;

export function userJson(u: UserRecord) {
  return { id: u.id, email: u.email, name: u.name, locale: u.locale, active: u.isActive, groups: u.groupIds, created_at: u.createdAt };
}

function intId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

export function registerUserAdminRoutes(routes: RouteRegistry, services: HostServices): void {
  const users = () => services.get<UsersService>(TOKENS.Users);
  const groups = () => services.get<GroupsService>(TOKENS.Groups);
  const views = () => services.get<ViewRenderer>(TOKENS.Views);

  const form = async (req: Request, res: Response, user: Partial<UserRecord> | null, errors?: unknown) => {
    const all = await groups().list();
    res.type('html').send(
      await views().renderPage(req, 'host/admin/user-form', {
        title: user?.id ? user.name : req.t('host:users.new'),
        user,
        groups: all.map((g) => ({ ...g, checked: (user?.groupIds ?? []).includes(g.id) })),
        locales: LANGUAGES.map((code) => ({ code, selected: user?.locale === code })),
        errors: errors ?? null,
      }),
    );
  };

  /** Form posts: checkboxes arrive as strings, a missing list means none. */
  const formInput = (req: Request) => ({
    email: String(req.body.email ?? ''),
    name: String(req.body.name ?? ''),
    locale: LANGUAGES.includes(req.body.locale) ? req.body.locale : null,
    groups: ([] as unknown[]).concat(req.body.groups ?? []).map(Number).filter(Number.isInteger),
    isActive: req.body.active === 'on' || req.body.active === 'true',
    password: String(req.body.password ?? ''),
  });

  const formErrors = (req: Request, err: unknown) => {
    if (err instanceof HttpError && (err.status === 400 || err.status === 409)) {
      return translateDetails(req, err.details) ?? [{ field: '', message: req.t(err.messageKey) }];
    }
    throw err;
  };

  routes.add('host', {
    method: 'get',
    path: '/admin/users',
    right: RIGHT,
    handler: async (req, res) => {
      const [list, all] = await Promise.all([users().list(), groups().list()]);
      const names = new Map(all.map((g) => [g.id, g.name]));
      const rows = list.map((u) => ({ ...u, groupNames: u.groupIds.map((id) => names.get(id)).filter(Boolean).join(', ') }));
      res.type('html').send(await views().renderPage(req, 'host/admin/users', { title: req.t('host:admin.users'), users: rows }));
    },
  });

  routes.add('host', { method: 'get', path: '/admin/users/new', right: RIGHT, handler: (req, res) => form(req, res, null) });

  routes.add('host', {
    method: 'post',
    path: '/admin/users',
    right: RIGHT,
    handler: async (req, res) => {
      const input = formInput(req);
      try {
        const created = await users().create(input);
        flash(req, 'success', req.t('host:users.created', { name: created.name }));
        res.redirect('/admin/users');
      } catch (err) {
        res.status(400);
        await form(req, res, { ...input, groupIds: input.groups }, formErrors(req, err));
      }
    },
  });

  routes.add('host', {
    method: 'get',
    path: '/admin/users/:id',
    right: RIGHT,
    handler: async (req, res) => {
      const user = await users().get(intId(req));
      if (!user) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      await form(req, res, user);
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/admin/users/:id',
    right: RIGHT,
    handler: async (req, res) => {
      const id = intId(req);
      const input = formInput(req);
      try {
        if (id === req.user!.id && !input.isActive) throw new HttpError(409, 'conflict', 'host:users.cannot_deactivate_self');
        await users().update(id, input);
        if (input.password) await users().setPassword(id, input.password);
        flash(req, 'success', req.t('host:users.saved'));
        res.redirect('/admin/users');
      } catch (err) {
        res.status(err instanceof HttpError && err.status === 409 ? 409 : 400);
        await form(req, res, { id, ...input, groupIds: input.groups }, formErrors(req, err));
      }
    },
  });

  routes.add('host', {
    method: 'get',
    path: '/users',
    api: true,
    right: RIGHT,
    summary: 'List users',
    handler: async (_req, res) => res.json({ items: (await users().list()).map(userJson) }),
  });

  routes.add('host', {
    method: 'post',
    path: '/users',
    api: true,
    right: RIGHT,
    summary: 'Create a user',
    body: { type: 'object', additionalProperties: false, properties: userFields, required: ['email', 'password', 'name'] },
    handler: async (req, res) => res.status(201).json(userJson(await users().create(req.body))),
  });

  routes.add('host', {
    method: 'get',
    path: '/users/:id',
    api: true,
    right: RIGHT,
    summary: 'One user',
    handler: async (req, res) => {
      const user = await users().get(intId(req));
      if (!user) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      res.json(userJson(user));
    },
  });

  routes.add('host', {
    method: 'patch',
    path: '/users/:id',
    api: true,
    right: RIGHT,
    summary: 'Change a user',
    body: { type: 'object', additionalProperties: false, properties: { ...userFields, active: { type: 'boolean' } }, minProperties: 1 },
    handler: async (req, res) => {
      const id = intId(req);
      if (!(await users().get(id))) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      const { password, active, ...rest } = req.body as { password?: string; active?: boolean };
      const updated = await users().update(id, { ...rest, ...(active === undefined ? {} : { isActive: active }) });
      if (password) await users().setPassword(id, password);
      res.json(userJson(updated));
    },
  });
}

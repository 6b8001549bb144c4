/** Sign-in and sign-out pages, the language switcher, and API tokens for integrators. */
import type { Request, Response } from 'express';
import { HttpError, LANGUAGES, TOKENS, type HostServices, type UsersService, type ViewRenderer } from '../api.js';
import type { RouteRegistry } from '../http/route-registry.js';
import type { ApiTokens } from './api-tokens.js';

/** Only same-site paths, so a crafted `next` cannot send people elsewhere after sign-in. */
export function safeNext(value: unknown): string {
  const next = typeof value === 'string' ? value : '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function registerAuthRoutes(routes: RouteRegistry, services: HostServices, tokens: ApiTokens): void {
  const users = () => services.get<UsersService>(TOKENS.Users);
  const views = () => services.get<ViewRenderer>(TOKENS.Views);
  const loginPage = async (req: Request, res: Response, data: Record<string, unknown> = {}) =>
    res.type('html').send(await views().renderPage(req, 'host/login', { title: req.t('host:login.title'), next: safeNext(req.query.next ?? req.body?.next), ...data }));

  routes.add('host', {
    method: 'get',
    path: '/login',
    public: true,
    handler: async (req, res) => (req.user ? res.redirect(safeNext(req.query.next)) : loginPage(req, res)),
  });

  routes.add('host', {
    method: 'post',
    path: '/login',
    public: true,
    body: {
      type: 'object',
      properties: { email: { type: 'string', maxLength: 190 }, password: { type: 'string', maxLength: 1000 }, next: { type: 'string', maxLength: 2000 } },
      required: ['email', 'password'],
    },
    handler: async (req, res) => {
      const { email, password } = req.body as { email: string; password: string };
      const user = await users().authenticate(email, password);
      if (!user) {
        res.status(401);
        return loginPage(req, res, { email, error: req.t('host:login.failed') });
      }
      const locale = req.session.locale;
      await regenerate(req); // a new session id on sign-in defeats session fixation
      req.session.userId = user.id;
      if (locale && !user.locale) req.session.locale = locale;
      res.redirect(safeNext(req.body.next));
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/logout',
    handler: async (req, res) => {
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.clearCookie('crm.sid');
      res.redirect('/login');
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/account/language',
    public: true,
    body: { type: 'object', properties: { language: { enum: [...LANGUAGES] }, next: { type: 'string' } }, required: ['language'] },
    handler: async (req, res) => {
      const language = req.body.language as (typeof LANGUAGES)[number];
      req.session.locale = language;
      if (req.user) await users().update(req.user.id, { locale: language });
      res.redirect(safeNext(req.body.next));
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/auth/token',
    api: true,
    public: true,
    summary: 'Exchange an email and password for an API token',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: { email: { type: 'string', minLength: 1, maxLength: 190 }, password: { type: 'string', minLength: 1, maxLength: 1000 } },
      required: ['email', 'password'],
    },
    handler: async (req, res) => {
      const user = await users().authenticate(req.body.email, req.body.password);
      if (!user) throw new HttpError(401, 'invalid_credentials', 'host:login.failed');
      const { token, expiresAt } = await tokens.issue(user.id);
      res.status(201).json({ token, expires_at: expiresAt.toISOString() });
    },
  });

  routes.add('host', {
    method: 'get',
    path: '/me',
    api: true,
    summary: 'The signed-in user and their rights',
    handler: (req, res) => {
      const u = req.user!;
      res.json({ id: u.id, email: u.email, name: u.name, locale: u.locale, is_admin: u.isAdmin, groups: u.groupIds, rights: [...u.rights].sort() });
    },
  });
}

/** The Express 5 application: security, sessions, auth, CSRF, static assets, routes, errors. */
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Express, type Request } from 'express';
import { pinoHttp } from 'pino-http';
import { createClient } from 'redis';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { LANGUAGES, TOKENS, adminPages, menuItems, type ExtensionRegistry, type HostConfig, type HostServices, type PluginManager, type UsersService } from '../api.js';
import type { ApiTokens } from '../auth/api-tokens.js';
import type { I18nServiceImpl } from '../i18n/i18n-service.js';
import type { Validator } from '../validation/validator.js';
import type { ViewRendererImpl } from '../views/view-renderer.js';
import { authenticate } from './authenticate.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { mountRoutes } from './mount-routes.js';
import type { RouteRegistry } from './route-registry.js';
import { csrfProtection, csrfToken, loginRateLimit, securityHeaders, sessionMiddleware, type RedisClient } from './security.js';
import { ROOT } from '../root.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

export const LANGUAGE_NAMES: Record<string, string> = { en: 'English', pl: 'Polski', ru: 'Русский', uk: 'Українська' };

export interface AppDeps {
  config: HostConfig;
  db: Sequelize;
  logger: Logger;
  routes: RouteRegistry;
  plugins: PluginManager & { list(): ReturnType<PluginManager['list']> };
  validator: Validator;
  views: ViewRendererImpl;
  i18n: I18nServiceImpl;
  extensions: ExtensionRegistry;
  tokens: ApiTokens;
  services: HostServices;
}

/** What every fragment may use: the user, the CSRF token and the language. */
function fragmentData() {
  return async (req: Request): Promise<Record<string, unknown>> => ({
    currentUser: req.user ? { id: req.user.id, name: req.user.name, email: req.user.email, isAdmin: req.user.isAdmin } : null,
    csrfToken: req.session ? csrfToken(req) : '',
    language: req.language,
  });
}

function layoutData(deps: AppDeps) {
  return async (req: Request): Promise<Record<string, unknown>> => {
    const user = req.user ?? null;
    const flash = req.session?.flash ?? [];
    if (req.session?.flash) delete req.session.flash;
    const current = req.originalUrl.split('?')[0] ?? '/';
    const mark = <T extends { href: string }>(items: T[]) => items.map((i) => ({ ...i, active: current === i.href || current.startsWith(`${i.href}/`) }));
    const admin = user ? mark(deps.extensions.list(adminPages, user)) : [];
    return {
      currentUser: user && { id: user.id, name: user.name, email: user.email, isAdmin: user.isAdmin },
      csrfToken: req.session ? csrfToken(req) : '',
      language: req.language,
      languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], active: code === req.language })),
      menu: user ? mark(deps.extensions.list(menuItems, user)) : [],
      adminMenu: admin,
      adminActive: current.startsWith('/admin'),
      flash,
      currentPath: req.originalUrl,
    };
  };
}

export async function createApp(deps: AppDeps): Promise<{ app: Express; close(): Promise<void> }> {
  const { config, db, logger, routes, plugins, validator, views, i18n } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy === 'true' ? true : config.trustProxy);
  app.set('query parser', 'extended');

  app.use(securityHeaders());
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/assets/') } }));

  const assetOptions = { maxAge: config.env === 'production' ? '7d' : 0, fallthrough: false, index: false } as const;
  app.use('/assets/vendor/bootstrap', express.static(path.join(packageDir('bootstrap'), 'dist'), assetOptions));
  app.use('/assets/vendor/bootstrap-icons', express.static(path.join(packageDir('bootstrap-icons'), 'font'), assetOptions));
  app.use('/assets/vendor/htmx', express.static(path.join(packageDir('htmx.org'), 'dist'), assetOptions));
  app.use('/assets/vendor/sortablejs', express.static(packageDir('sortablejs'), assetOptions));
  app.use('/assets/host', express.static(path.join(ROOT, 'host', 'assets'), assetOptions));
  app.use('/assets/p/:plugin', (req, res, next) => {
    const info = plugins.get(String(req.params.plugin));
    if (!info?.assetsDir || !plugins.isEnabled(info.id)) return void res.status(404).end();
    express.static(info.assetsDir, assetOptions)(req, res, next);
  });

  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: true, limit: '1mb', parameterLimit: 5000 }));
  const redis = config.redisUrl ? createClient({ url: config.redisUrl }) : null;
  if (redis) {
    redis.on('error', (err) => logger.error({ err }, 'redis error'));
    await redis.connect();
  }
  const session = await sessionMiddleware(config, db, redis as RedisClient | null);
  app.use(session.middleware);
  app.use(authenticate(deps.services.get<UsersService>(TOKENS.Users), deps.tokens, i18n));
  const limiter = loginRateLimit(config, redis as RedisClient | null);
  app.post('/login', limiter);
  app.post('/api/v1/auth/token', limiter);
  app.use(csrfProtection);

  views.setLayoutData(layoutData(deps), fragmentData());
  // A redirect right after a change (and its flash message) must not overtake the session save:
  // browsers follow redirects at once, and the next page would read the old session.
  app.use((req, res, next) => {
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      if (req.session && typeof req.session.save === 'function') req.session.save(() => redirect(...args));
      else redirect(...args);
    }) as typeof res.redirect;
    next();
  });
  app.use(mountRoutes(routes, plugins, validator));
  app.use(notFoundHandler());
  app.use(errorHandler(logger, views));
  return {
    app,
    async close() {
      await session.close();
      if (redis) await redis.quit();
    },
  };
}

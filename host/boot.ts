/**
 * Builds a running host: configuration, database, container, plugins (register, freeze, migrate,
 * start), first-start seeding, jobs and the HTTP app. `createHost` is what `npm start`, the CLI,
 * the tests and the benchmarks all use, so they exercise the same boot path.
 */
import path from 'node:path';
import { Container } from 'inversify';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { TOKENS, type HostConfig, type HostServices } from './api.js';
import { loadConfig } from './config/load-config.js';
import { createDatabase } from './db/create-database.js';
import { Migrator } from './db/migrator.js';
import { EventBusImpl } from './extensions/event-bus.js';
import { ExtensionRegistryImpl } from './extensions/extension-registry.js';
import { registerHostExtensionPoints } from './extensions/host-extension-points.js';
import { createApp } from './http/create-app.js';
import { RouteRegistry } from './http/route-registry.js';
import { I18nServiceImpl } from './i18n/i18n-service.js';
import { JobRunnerImpl } from './jobs/job-runner.js';
import { createLogger } from './logging/create-logger.js';
import { PluginManagerImpl } from './plugins/plugin-manager.js';
import { PluginStateStore } from './plugins/plugin-state-store.js';
import { checkAppManifest } from './plugins/check-app-manifest.js';
import { registerHostRoutes } from './http/host-routes.js';
import { SettingsStoreImpl } from './settings/settings-store.js';
import { seedFirstStart } from './seed/seed-first-start.js';
import { GroupsServiceImpl } from './users/groups-service.js';
import { RightsRegistryImpl } from './users/rights-registry.js';
import { UsersServiceImpl } from './users/users-service.js';
import { ApiTokens } from './auth/api-tokens.js';
import { Validator } from './validation/validator.js';
import { ROOT } from './root.js';
import { ViewRendererImpl } from './views/view-renderer.js';

export { ROOT };

const PLUGIN_SYNC_MS = 5000;

export interface BootOptions {
  config?: HostConfig;
  /** Plugin folders to scan; defaults to `plugins/` plus CRM_PLUGIN_PATH. */
  pluginRoots?: string[];
  /** Skip the HTTP app (the CLI needs services only). */
  http?: boolean;
  /** Start the job worker (off for one-shot CLI commands that do not run jobs). */
  jobs?: boolean;
  logger?: Logger;
}

export interface Host {
  config: HostConfig;
  container: Container;
  services: HostServices;
  db: Sequelize;
  logger: Logger;
  app: Express | null;
  plugins: PluginManagerImpl;
  routes: RouteRegistry;
  extensions: ExtensionRegistryImpl;
  jobs: JobRunnerImpl;
  migrator: Migrator;
  /** Problems found while freezing extension points (unknown points, duplicate contributions). */
  problems: string[];
  stop(): Promise<void>;
}

export async function createHost(options: BootOptions = {}): Promise<Host> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = await createDatabase(config.databaseUrl, logger, (process.env.DATABASE_READ_URLS ?? '').split(',').filter(Boolean));
  const migrator = new Migrator(db, logger);
  // The host's own tables first: plugin state lives there.
  await migrator.up([{ owner: 'host', dir: path.join(ROOT, 'migrations') }]);

  const container = new Container({ defaultScope: 'Singleton' });
  const services: HostServices = {
    get: <T>(token: symbol) => container.get<T>(token),
    config,
    db,
    logger,
  };
  let plugins: PluginManagerImpl | null = null;
  const isEnabled = (id: string) => plugins?.isEnabled(id) ?? id === 'host';

  const validator = new Validator();
  const i18n = new I18nServiceImpl();
  i18n.loadNamespace('host', path.join(ROOT, 'locales'));
  const views = new ViewRendererImpl(config.env === 'production');
  views.addNamespace('host', path.join(ROOT, 'views'));
  const extensions = new ExtensionRegistryImpl(isEnabled);
  const events = new EventBusImpl(logger, isEnabled);
  const routes = new RouteRegistry();
  const rights = new RightsRegistryImpl();
  const jobs = new JobRunnerImpl(db, logger, { redisUrl: config.redisUrl });

  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Database).toConstantValue(db);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Validation).toConstantValue(validator);
  container.bind(TOKENS.I18n).toConstantValue(i18n);
  container.bind(TOKENS.Views).toConstantValue(views);
  container.bind(TOKENS.Extensions).toConstantValue(extensions);
  container.bind(TOKENS.Events).toConstantValue(events);
  container.bind(TOKENS.Rights).toConstantValue(rights);
  container.bind(TOKENS.Jobs).toConstantValue(jobs);
  container.bind(TOKENS.Settings).to(SettingsStoreImpl);
  container.bind(TOKENS.Users).to(UsersServiceImpl);
  container.bind(TOKENS.Groups).to(GroupsServiceImpl);

  plugins = new PluginManagerImpl({
    logger,
    validator,
    extensions,
    events,
    routes,
    rights,
    i18n,
    views,
    jobs,
    store: new PluginStateStore(db),
    migrator,
    services: () => services,
  });
  container.bind(TOKENS.Plugins).toConstantValue(plugins);

  // Register phase: the host's own contributions, then every plugin's, then freeze.
  registerHostExtensionPoints(extensions);
  const tokens = new ApiTokens(db);
  registerHostRoutes({ routes, extensions, services, tokens, config });
  const roots = options.pluginRoots ?? [path.join(ROOT, 'plugins'), ...config.pluginPaths];
  await plugins.load(roots);
  const problems = extensions.freeze();
  // The root manifest lists the app's plugins: checked when the project's own plugins/ is loaded.
  if (roots.includes(path.join(ROOT, 'plugins'))) {
    const app = checkAppManifest(path.join(ROOT, 'plugin.manifest.json'), validator, plugins);
    problems.push(...app.problems);
    plugins.problems.push(...app.problems);
  }
  for (const p of problems) logger.error(p);
  await container.load(...plugins.containerModules());

  // Migrate, then start in dependency order.
  await plugins.migrate();
  await plugins.start();
  await seedFirstStart(services, extensions, config);

  if (options.jobs !== false) await jobs.start();
  // Other instances (and the CLI) may enable or disable plugins: follow the database.
  const sync = setInterval(() => void plugins!.syncFromStore().catch((err) => logger.error({ err }, 'plugin state sync failed')), PLUGIN_SYNC_MS);
  sync.unref();
  let app: Express | null = null;
  let closeHttp = async () => {};
  if (options.http !== false) {
    try {
      const built = await createApp({ config, db, logger, routes, plugins, validator, views, i18n, extensions, tokens, services });
      app = built.app;
      closeHttp = built.close;
    } catch (err) {
      // A failed start (e.g. Redis unreachable) must not leave timers and connections open.
      clearInterval(sync);
      await jobs.stop();
      await plugins.stop();
      await db.close();
      throw err;
    }
  }

  return {
    config,
    container,
    services,
    db,
    logger,
    app,
    plugins,
    routes,
    extensions,
    jobs,
    migrator,
    problems,
    async stop() {
      clearInterval(sync);
      await jobs.stop();
      await plugins!.stop();
      await closeHttp();
      await db.close();
    },
  };
}

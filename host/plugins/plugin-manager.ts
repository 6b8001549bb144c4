/**
 * Plugin lifecycle: discover -> resolve order -> import and register (synchronous, no database)
 * -> freeze registries -> migrate -> start in dependency order; stop in reverse. Enable and
 * disable work at run time: a disabled plugin's routes answer 404 and its contributions vanish,
 * because every consumer asks `isEnabled` at request time. One broken plugin never stops the host.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { ContainerModule } from 'inversify';
import {
  HOST_VERSION,
  type HostServices,
  type JobHandler,
  type PluginContext,
  type PluginInfo,
  type PluginManager,
  type PluginManifest,
  type PluginModule,
  type PluginState,
} from '../api.js';
import type { Migrator } from '../db/migrator.js';
import type { EventBusImpl } from '../extensions/event-bus.js';
import type { ExtensionRegistryImpl } from '../extensions/extension-registry.js';
import type { I18nServiceImpl } from '../i18n/i18n-service.js';
import type { RouteRegistry } from '../http/route-registry.js';
import type { JobRunnerImpl } from '../jobs/job-runner.js';
import type { RightsRegistryImpl } from '../users/rights-registry.js';
import type { Validator } from '../validation/validator.js';
import { importModule } from '../runtime/import-module.js';
import type { ViewRendererImpl } from '../views/view-renderer.js';
import { discoverPlugins } from './discover-plugins.js';
import type { PluginStateStore } from './plugin-state-store.js';
import { resolveOrder } from './resolve-order.js';
import { pluginSettings } from './plugin-settings.js';

type Hook = (host: HostServices) => Promise<void> | void;

interface PluginRecord {
  id: string;
  manifest: PluginManifest | null;
  dir: string | null;
  state: PluginState;
  error: string | null;
  modules: ContainerModule[];
  startHooks: Hook[];
  stopHooks: Hook[];
  jobs: Array<[string, JobHandler<unknown>]>;
  started: boolean;
}

export interface PluginManagerDeps {
  logger: Logger;
  validator: Validator;
  extensions: ExtensionRegistryImpl;
  events: EventBusImpl;
  routes: RouteRegistry;
  rights: RightsRegistryImpl;
  i18n: I18nServiceImpl;
  views: ViewRendererImpl;
  jobs: JobRunnerImpl;
  store: PluginStateStore;
  migrator: Migrator;
  services: () => HostServices;
}

export class PluginManagerImpl implements PluginManager {
  private readonly plugins = new Map<string, PluginRecord>();
  /** Problems of the installation as a whole (the app manifest's), shown on the plugins page. */
  readonly problems: string[] = [];
  private order: string[] = [];
  private hostStarted = false;

  constructor(private readonly deps: PluginManagerDeps) {}

  // ------------------------------------------------------------------ queries

  list(): PluginInfo[] {
    return [...this.plugins.values()].sort((a, b) => a.id.localeCompare(b.id)).map((p) => this.info(p));
  }

  get(id: string): PluginInfo | null {
    const p = this.plugins.get(id);
    return p ? this.info(p) : null;
  }

  /** Enabled, and so is every dependency (a disabled dependency switches its dependents off). */
  isEnabled(id: string): boolean {
    if (id === 'host') return true;
    const p = this.plugins.get(id);
    if (!p || p.state !== 'enabled' || !p.manifest) return false;
    return Object.keys(p.manifest.dependencies ?? {}).every((dep) => this.isEnabled(dep));
  }

  manifests(): PluginManifest[] {
    return this.order.map((id) => this.plugins.get(id)?.manifest).filter((m): m is PluginManifest => Boolean(m));
  }

  /** Container modules of every registered plugin, for the host to load after the register phase. */
  containerModules(): ContainerModule[] {
    return this.order.flatMap((id) => this.plugins.get(id)?.modules ?? []);
  }

  private info(p: PluginRecord): PluginInfo {
    return {
      id: p.id,
      name: p.manifest?.name ?? p.id,
      version: p.manifest?.version ?? null,
      state: p.state,
      error: p.error,
      dependencies: p.manifest?.dependencies ?? {},
      dir: p.dir,
      settings: p.manifest?.settings ?? null,
      assetsDir: p.dir ? path.join(p.dir, p.manifest?.assets ?? 'assets') : null,
    };
  }

  // ------------------------------------------------------------------ boot

  /** Discovery, ordering, import and register. Synchronous registration; no database writes. */
  async load(roots: string[]): Promise<void> {
    const { logger, validator } = this.deps;
    const stored = await this.deps.store.all();
    const { found, broken } = discoverPlugins(roots, validator);

    for (const b of broken) {
      logger.error({ plugin: b.id, dir: b.dir }, `plugin disabled: ${b.error}`);
      this.plugins.set(b.id, this.record(b.id, null, b.dir, 'failed', b.error));
    }
    const { order, skipped } = resolveOrder(found.map((f) => f.manifest), HOST_VERSION);
    for (const f of found) {
      const reason = skipped.get(f.manifest.id);
      const previous = stored.get(f.manifest.id)?.state;
      const wanted: PluginState = previous === 'disabled' || previous === 'uninstalled' ? previous : 'enabled';
      this.plugins.set(f.manifest.id, this.record(f.manifest.id, f.manifest, f.dir, reason ? 'skipped' : wanted, reason ?? null));
      if (reason) logger.error({ plugin: f.manifest.id }, `plugin skipped: ${reason}`);
    }
    for (const [id, s] of stored) {
      if (!this.plugins.has(id) && s.state !== 'uninstalled') {
        this.plugins.set(id, this.record(id, null, null, 'missing', 'enabled in the database but not found on disk'));
        logger.warn({ plugin: id }, 'plugin is missing on disk');
      }
    }

    this.order = order;
    for (const id of order) await this.register(this.plugins.get(id)!);
  }

  private record(id: string, manifest: PluginManifest | null, dir: string | null, state: PluginState, error: string | null): PluginRecord {
    return { id, manifest, dir, state, error, modules: [], startHooks: [], stopHooks: [], jobs: [], started: false };
  }

  private depFailure(p: PluginRecord): string | null {
    for (const dep of Object.keys(p.manifest?.dependencies ?? {})) {
      const d = this.plugins.get(dep);
      if (d && (d.state === 'failed' || d.state === 'skipped')) return `depends on "${dep}", which could not load: ${d.error}`;
    }
    return null;
  }

  private async register(p: PluginRecord): Promise<void> {
    const { logger, extensions, events, routes, rights, i18n, views, jobs } = this.deps;
    const manifest = p.manifest!;
    const dir = p.dir!;
    const depFailure = this.depFailure(p);
    if (depFailure) {
      p.state = 'skipped';
      p.error = depFailure;
      logger.error({ plugin: p.id }, `plugin skipped: ${depFailure}`);
      return;
    }
    try {
      const mod = await importModule<Partial<PluginModule> & { default?: Partial<PluginModule> }>(path.join(dir, manifest.main));
      const register = mod.register ?? mod.default?.register;
      if (typeof register !== 'function') throw new Error(`${manifest.main} does not export register(ctx)`);
      const ctx = this.context(p);
      const result = register(ctx) as unknown;
      if (result instanceof Promise) throw new Error('register(ctx) must be synchronous; do async work in ctx.onStart');
      // Job types are defined only once register() has succeeded as a whole.
      for (const [type, handler] of p.jobs) jobs.define(type, handler);
      rights.addPlugin(manifest);
      i18n.loadNamespace(p.id, path.join(dir, manifest.locales ?? 'locales'));
      views.addNamespace(p.id, path.join(dir, manifest.views ?? 'views'));
    } catch (err) {
      p.state = 'failed';
      p.error = (err as Error).message;
      p.modules = [];
      p.startHooks = [];
      p.stopHooks = [];
      extensions.forget(p.id);
      events.forget(p.id);
      routes.forget(p.id);
      p.jobs = [];
      logger.error({ plugin: p.id, err }, 'plugin failed while loading');
    }
  }

  private context(p: PluginRecord): PluginContext {
    const { extensions, events, routes } = this.deps;
    const started = () => this.hostStarted || p.started;
    const services = () => this.deps.services();
    return {
      id: p.id,
      manifest: p.manifest!,
      dir: p.dir!,
      bind: (module) => void p.modules.push(module),
      declare: (point) => extensions.declare(p.id, point),
      extend: (point, contribution) => extensions.contribute(p.id, point, contribution),
      on: (event, handler) => events.on(p.id, event, handler),
      onBefore: (event, handler) => events.on(p.id, event, handler, true),
      route: (route) => routes.add(p.id, route),
      job: (type, handler) => void p.jobs.push([`${p.id}.${type}`, handler as JobHandler<unknown>]),
      onStart: (fn) => void p.startHooks.push(fn),
      onStop: (fn) => void p.stopHooks.push(fn),
      get<T>(token: symbol): T {
        if (!started()) throw new Error('ctx.get() is not available during register(); use it in onStart or in handlers');
        return services().get<T>(token);
      },
      settings: <T extends Record<string, unknown>>() => pluginSettings<T>(services(), p.id, p.manifest?.settings ?? null),
    };
  }

  /** Applies the migrations of every plugin that is installed (all but uninstalled and broken). */
  async migrate(): Promise<void> {
    for (const id of this.order) {
      const p = this.plugins.get(id)!;
      if (p.state === 'uninstalled' || p.state === 'failed' || p.state === 'skipped') continue;
      const failure = this.depFailure(p);
      if (failure) {
        this.fail(p, failure, 'skipped');
        continue;
      }
      try {
        await this.deps.migrator.up([this.migrationSource(p)]);
      } catch (err) {
        this.fail(p, `migration failed: ${(err as Error).message}`);
      }
    }
  }

  migrationSource(p: { id: string; manifest: PluginManifest | null; dir: string | null }): { owner: string; dir: string } {
    return { owner: p.id, dir: path.join(p.dir ?? '', p.manifest?.migrations ?? 'migrations') };
  }

  /** Runs the start hooks of enabled plugins in dependency order and saves every state. */
  async start(): Promise<void> {
    this.hostStarted = true;
    for (const id of this.order) {
      const p = this.plugins.get(id)!;
      if (this.isEnabled(id)) await this.startOne(p);
    }
    for (const p of this.plugins.values()) await this.persist(p);
  }

  private async startOne(p: PluginRecord): Promise<boolean> {
    if (p.started) return true;
    try {
      for (const hook of p.startHooks) await hook(this.deps.services());
      p.started = true;
      return true;
    } catch (err) {
      this.fail(p, `start failed: ${(err as Error).message}`);
      return false;
    }
  }

  private fail(p: PluginRecord, error: string, state: PluginState = 'failed'): void {
    p.state = state;
    p.error = error;
    this.deps.logger.error({ plugin: p.id }, `plugin ${state}: ${error}`);
  }

  /** Stops started plugins in reverse dependency order. */
  async stop(): Promise<void> {
    for (const id of [...this.order].reverse()) await this.stopOne(this.plugins.get(id)!);
    this.hostStarted = false;
  }

  private async stopOne(p: PluginRecord): Promise<void> {
    if (!p.started) return;
    p.started = false;
    for (const hook of [...p.stopHooks].reverse()) {
      try {
        await hook(this.deps.services());
      } catch (err) {
        this.deps.logger.error({ plugin: p.id, err }, 'plugin stop hook failed');
      }
    }
  }

  private async persist(p: PluginRecord): Promise<void> {
    await this.deps.store.save(p.id, { state: p.state, version: p.manifest?.version ?? null, error: p.error });
  }

  // ------------------------------------------------------------------ run-time changes

  private mustGet(id: string): PluginRecord {
    const p = this.plugins.get(id);
    if (!p) throw new PluginStateError('host:plugins.unknown', { id });
    return p;
  }

  async enable(id: string): Promise<void> {
    const p = this.mustGet(id);
    if (p.state === 'enabled') return;
    if (p.state !== 'disabled' && p.state !== 'uninstalled') throw new PluginStateError('host:plugins.cannot_enable', { id, state: p.state });
    if (p.state === 'uninstalled') {
      await this.deps.migrator.up([this.migrationSource(p)]);
    }
    p.state = 'enabled';
    p.error = null;
    // Dependents that were already enabled come back with it; start whatever is now active.
    for (const other of this.order) if (this.isEnabled(other)) await this.startOne(this.plugins.get(other)!);
    await this.persist(p);
    this.deps.logger.info({ plugin: id }, 'plugin enabled');
  }

  async disable(id: string): Promise<void> {
    const p = this.mustGet(id);
    if (p.state === 'disabled') return;
    if (p.state !== 'enabled') throw new PluginStateError('host:plugins.cannot_disable', { id, state: p.state });
    p.state = 'disabled';
    for (const other of [...this.order].reverse()) {
      const o = this.plugins.get(other)!;
      if (o.started && !this.isEnabled(other)) await this.stopOne(o);
    }
    await this.persist(p);
    this.deps.logger.info({ plugin: id }, 'plugin disabled');
  }

  /**
   * Follows changes made by another instance or the CLI: enabled, disabled and uninstalled states
   * saved in the database are applied here without writing them back.
   */
  async syncFromStore(): Promise<void> {
    const stored = await this.deps.store.all();
    for (const p of this.plugins.values()) {
      const s = stored.get(p.id)?.state;
      const movable = p.state === 'enabled' || p.state === 'disabled' || p.state === 'uninstalled';
      if (!s || s === p.state || !movable || !(s === 'enabled' || s === 'disabled' || s === 'uninstalled')) continue;
      this.deps.logger.info({ plugin: p.id, from: p.state, to: s }, 'plugin state changed elsewhere');
      p.state = s;
    }
    for (const id of this.order) {
      const p = this.plugins.get(id)!;
      if (this.isEnabled(id) && !p.started) await this.startOne(p);
    }
    for (const id of [...this.order].reverse()) {
      const p = this.plugins.get(id)!;
      if (p.started && !this.isEnabled(id)) await this.stopOne(p);
    }
  }

  /** Rolls back the plugin's migrations (its tables and data go) and marks it uninstalled. */
  async uninstall(id: string): Promise<void> {
    const p = this.mustGet(id);
    const dependents = this.order.filter((o) => o !== id && this.plugins.get(o)?.manifest?.dependencies?.[id] && this.plugins.get(o)?.state !== 'uninstalled');
    if (dependents.length) throw new PluginStateError('host:plugins.has_dependents', { id, dependents: dependents.join(', ') });
    if (p.state === 'enabled') await this.disable(id);
    if (p.dir) await this.deps.migrator.downAll(this.migrationSource(p));
    p.state = 'uninstalled';
    await this.persist(p);
  }
}

/** A lifecycle change that is not allowed in the plugin's current state. */
export class PluginStateError extends Error {
  constructor(readonly messageKey: string, readonly params: Record<string, unknown>) {
    super(messageKey);
    this.name = 'PluginStateError';
  }
}

/**
 * The host SDK: the only host module a plugin may import. It holds the DI tokens, the types of
 * the host's services, the plugin context handed to `register(ctx)`, extension points, events,
 * errors and jobs. Everything here is a stable contract for plugin authors (docs/plugins.md).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import type { DataTypes, QueryInterface, Sequelize } from 'sequelize';
import type { TFunction } from 'i18next';
import type { Command } from 'commander';

export { injectable, inject, ContainerModule } from 'inversify';

/** The host's own version; plugin manifests declare a semver range against it. */
export const HOST_VERSION = '1.0.0';
export const LANGUAGES = ['en', 'pl', 'ru', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];

/** DI tokens of the host's services. Plugins declare their own in their `api.ts`. */
export const TOKENS = {
  Config: Symbol.for('host.Config'),
  Database: Symbol.for('host.Database'),
  Logger: Symbol.for('host.Logger'),
  Extensions: Symbol.for('host.Extensions'),
  Events: Symbol.for('host.Events'),
  Jobs: Symbol.for('host.Jobs'),
  I18n: Symbol.for('host.I18n'),
  Views: Symbol.for('host.Views'),
  Rights: Symbol.for('host.Rights'),
  Users: Symbol.for('host.Users'),
  Groups: Symbol.for('host.Groups'),
  Settings: Symbol.for('host.Settings'),
  Plugins: Symbol.for('host.Plugins'),
  Validation: Symbol.for('host.Validation'),
} as const;

// ---------------------------------------------------------------------------------------------
// Configuration

export interface HostConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  dataDir: string;
  databaseUrl: string;
  redisUrl: string | null;
  sessionSecret: string;
  smtpUrl: string | null;
  ldap: { url: string; bindDn: string | null; bindPassword: string | null; baseDn: string | null } | null;
  logLevel: string;
  pluginPaths: string[];
  adminEmail: string;
  adminPassword: string;
  /** Login attempts allowed per window and client before 429. */
  loginRateLimit: { windowMs: number; max: number };
  /** Seed demo data on the first start of an empty database. */
  seedDemo: boolean;
  /** Express's "trust proxy": which proxies' X-Forwarded-For to believe (for client addresses). */
  trustProxy: string;
  /**
   * How far V8 lets the heap grow past what the last full collection kept, in percent (0: V8's
   * own choice). Applied by the server's and the CLI's entry points (host/runtime/heap.ts).
   */
  heapGrowthPercent: number;
}

// ---------------------------------------------------------------------------------------------
// Users and rights

export interface CurrentUser {
  id: number;
  email: string;
  name: string;
  locale: Language | null;
  isAdmin: boolean;
  groupIds: number[];
  rights: ReadonlySet<string>;
  /** True when the user holds the right (administrators hold every right). */
  can(right: string): boolean;
}

export interface RightDefinition {
  /** `<pluginId>.<name>`; every plugin also has the implicit `<pluginId>.access`. */
  id: string;
  /** i18n key (`<pluginId>:rights.x`) of the label shown on the group page. */
  label: string;
  pluginId: string;
}

export interface RightsRegistry {
  all(): RightDefinition[];
  has(id: string): boolean;
}

export interface UserRecord {
  id: number;
  email: string;
  name: string;
  locale: Language | null;
  isActive: boolean;
  groupIds: number[];
  createdAt: Date;
}

export interface NewUser {
  email: string;
  password: string;
  name: string;
  locale?: Language | null;
  groups?: number[];
}

export interface UsersService {
  list(): Promise<UserRecord[]>;
  get(id: number): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  create(input: NewUser): Promise<UserRecord>;
  update(id: number, input: Partial<Omit<NewUser, 'password'>> & { isActive?: boolean }): Promise<UserRecord>;
  setPassword(id: number, password: string): Promise<void>;
  /** Returns the user when the password matches an active account. */
  authenticate(email: string, password: string): Promise<UserRecord | null>;
  /** Loads the user with the union of their groups' rights. */
  currentUser(id: number): Promise<CurrentUser | null>;
}

export interface GroupRecord {
  id: number;
  name: string;
  isAdmin: boolean;
  rights: string[];
  memberCount: number;
}

export interface GroupsService {
  list(): Promise<GroupRecord[]>;
  get(id: number): Promise<GroupRecord | null>;
  findByName(name: string): Promise<GroupRecord | null>;
  create(input: { name: string; rights?: string[]; isAdmin?: boolean }): Promise<GroupRecord>;
  update(id: number, input: { name?: string; rights?: string[] }): Promise<GroupRecord>;
  remove(id: number): Promise<void>;
}

export interface SettingsStore {
  get<T>(scope: string, key: string): Promise<T | null>;
  set(scope: string, key: string, value: unknown): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Errors: one format everywhere, `{error: {code, message, details}}` with a translated message.

export interface FieldError {
  field: string;
  code: string;
  /** i18n key of the message; the error handler translates it. */
  message: string;
  params?: Record<string, unknown>;
}

/** The host's ajv instance (TOKENS.Validation): validates with per-field, translatable errors. */
export interface ValidationService {
  /** Returns the errors (empty when valid); `coerce` turns form and query strings into the schema's types. */
  validate(schema: JsonSchema, data: unknown, coerce?: boolean): FieldError[];
}

const HTTP_ERROR = Symbol.for('host.HttpError');

export class HttpError extends Error {
  /**
   * `instanceof` by brand, not by class identity: a plugin may be loaded through another copy of
   * this module (ESM and CommonJS loaders in tests, or a plugin bundling the SDK), and its errors
   * must still be recognized as HTTP errors rather than becoming 500s.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[HTTP_ERROR] === true;
  }

  readonly [HTTP_ERROR] = true;

  constructor(
    readonly status: number,
    readonly code: string,
    /** i18n key, translated into the caller's language when the response is written. */
    readonly messageKey: string,
    readonly details?: FieldError[] | Record<string, unknown>,
    readonly params?: Record<string, unknown>,
  ) {
    super(messageKey);
    this.name = 'HttpError';
  }
}

export const httpErrors = {
  badRequest: (details?: FieldError[], key = 'host:errors.invalid_input') =>
    new HttpError(400, 'invalid_input', key, details),
  unauthorized: () => new HttpError(401, 'unauthorized', 'host:errors.unauthorized'),
  forbidden: () => new HttpError(403, 'forbidden', 'host:errors.forbidden'),
  notFound: () => new HttpError(404, 'not_found', 'host:errors.not_found'),
  conflict: (key = 'host:errors.conflict', details?: Record<string, unknown>) =>
    new HttpError(409, 'conflict', key, details),
};

// ---------------------------------------------------------------------------------------------
// Extension points

export interface Contribution {
  /** Unique within the extension point and the contributing plugin. */
  id: string;
  /** Smaller first; defaults to 100. */
  order?: number;
  /** A right the user must hold to see the contribution. */
  right?: string;
}

/** A typed, versioned slot: `owner.name/v1`. Declared by the plugin that owns the screen. */
export interface ExtensionPoint<T extends Contribution> {
  readonly id: string;
  /** Phantom field carrying the contribution type; never set. */
  readonly __type?: T;
}

export type Contributed<T> = T & { readonly pluginId: string };

const EXTENSION_POINT_ID = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\/v[0-9]+$/;

export function defineExtensionPoint<T extends Contribution>(id: string): ExtensionPoint<T> {
  if (!EXTENSION_POINT_ID.test(id)) throw new Error(`Extension point id "${id}" must look like "owner.name/v1"`);
  return Object.freeze({ id });
}

export interface ExtensionRegistry {
  /** Contributions of enabled plugins, sorted by order, filtered by the user's rights when given. */
  list<T extends Contribution>(point: ExtensionPoint<T>, user?: CurrentUser | null): Contributed<T>[];
  /** Every declared point with the plugin that owns it and its contribution count. */
  points(): Array<{ id: string; owner: string; contributions: number }>;
}

// ---------------------------------------------------------------------------------------------
// Events

export interface EventDefinition<P> {
  readonly id: string;
  readonly __payload?: P;
}

export function defineEvent<P>(id: string): EventDefinition<P> {
  return Object.freeze({ id });
}

export type EventHandler<P> = (payload: P) => Promise<void> | void;

export interface EventBus {
  /**
   * Runs every handler of enabled plugins; a failing handler is logged and the others go on.
   * With `rethrow`, the first failure is logged and thrown instead: for events whose handlers
   * change data inside the emitter's transaction (`crm.contact.merged`), which must roll back.
   */
  emit<P>(event: EventDefinition<P>, payload: P, options?: { rethrow?: boolean }): Promise<void>;
  /** Runs "before" handlers in order; the first error is thrown so the caller can abort its write. */
  emitBefore<P>(event: EventDefinition<P>, payload: P): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Jobs: one runner for long work, persisted, with progress pushed to the browser.

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobInfo {
  id: string;
  type: string;
  state: JobState;
  processed: number;
  total: number | null;
  result: unknown;
  error: string | null;
  userId: number | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface JobContext<P> {
  id: string;
  payload: P;
  userId: number | null;
  /** What the handler saved with its last progress call; set when a job resumes after a restart. */
  checkpoint: unknown;
  /**
   * Saves progress (and optionally a checkpoint to resume from) and tells the browser. It throws
   * to interrupt the handler when the host stops or the job's lease is lost: let it propagate;
   * the job resumes from its last checkpoint.
   */
  progress(processed: number, total?: number | null, checkpoint?: unknown): Promise<void>;
  /** True once somebody cancelled the job; the handler stops at its next safe point. */
  cancelled(): Promise<boolean>;
  logger: Logger;
}

export type JobHandler<P> = (ctx: JobContext<P>) => Promise<unknown>;

export interface JobRunner {
  enqueue<P>(type: string, payload: P, options?: { userId?: number | null }): Promise<string>;
  get(id: string): Promise<JobInfo | null>;
  cancel(id: string): Promise<void>;
  /** Resolves when the job ends (done, failed or cancelled) or the timeout passes. */
  waitFor(id: string, timeoutMs?: number): Promise<JobInfo>;
}

// ---------------------------------------------------------------------------------------------
// HTTP

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type JsonSchema = Record<string, unknown>;

export interface RouteDefinition {
  method: HttpMethod;
  /**
   * Page routes are mounted under `/<pluginId>` (the host's own under `/`); API routes
   * (`api: true`) under `/api/v1`.
   */
  path: string;
  api?: boolean;
  /** The right required. Without it any signed-in user may call the route, unless `public`. */
  right?: string;
  /** No sign-in needed (login page, web-to-lead form). */
  public?: boolean;
  /** ajv schemas; invalid input answers 400 with per-field details before the handler runs. */
  body?: JsonSchema;
  query?: JsonSchema;
  /** One line for the OpenAPI document. */
  summary?: string;
  /** Extra middleware run before validation (e.g. multer for uploads). */
  before?: RequestHandler[];
  /**
   * The fields of a `multipart/form-data` body, for the OpenAPI document only (a `before`
   * middleware such as multer parses and checks it); file fields as `{type: 'string', format: 'binary'}`.
   */
  multipart?: JsonSchema;
  handler: (req: Request, res: Response, next: NextFunction) => unknown;
}

export interface RouteInfo {
  pluginId: string;
  method: HttpMethod;
  path: string;
  api: boolean;
  access: 'public' | 'user' | string;
}

export interface PageData {
  title?: string;
  [key: string]: unknown;
}

export interface ViewRenderer {
  /** Renders `<namespace>/<name>` (host views use the `host` namespace) into the layout. */
  renderPage(req: Request, view: string, data?: PageData): Promise<string>;
  /** Renders a view without the layout (tab bodies, fragments). */
  renderPartial(req: Request, view: string, data?: Record<string, unknown>): Promise<string>;
  /**
   * Marks HTML that a view already rendered (and so escaped) for embedding in another template
   * with plain `{{value}}`. Never pass it text that did not come out of renderPartial.
   */
  rendered(html: string): unknown;
}

export interface I18nService {
  t(language: string, key: string, options?: Record<string, unknown>): string;
  fixedT(language: string): TFunction;
  languages: readonly Language[];
}

// ---------------------------------------------------------------------------------------------
// Plugins

export interface PluginManifest {
  id: string;
  name: string | Record<string, string>;
  description?: string | Record<string, string>;
  version: string;
  host: string;
  dependencies?: Record<string, string>;
  main: string;
  rights?: Array<{ id: string; label: string }>;
  settings?: JsonSchema;
  locales?: string;
  views?: string;
  migrations?: string;
  assets?: string;
  icon?: string;
}

export type PluginState = 'discovered' | 'installed' | 'enabled' | 'disabled' | 'failed' | 'uninstalled' | 'missing' | 'skipped';

export interface PluginInfo {
  id: string;
  name: string | Record<string, string>;
  version: string | null;
  state: PluginState;
  error: string | null;
  dependencies: Record<string, string>;
  dir: string | null;
  /** The JSON Schema of the plugin's settings, when it has any. */
  settings: JsonSchema | null;
  /** The folder served at /assets/p/<id>/ (the manifest's `assets`, default `assets/`). */
  assetsDir: string | null;
}

export interface PluginManager {
  list(): PluginInfo[];
  get(id: string): PluginInfo | null;
  isEnabled(id: string): boolean;
  enable(id: string): Promise<void>;
  disable(id: string): Promise<void>;
  /** Rolls back the plugin's migrations and marks it uninstalled; refused while others depend on it. */
  uninstall(id: string): Promise<void>;
}

export interface HostServices {
  get<T>(token: symbol): T;
  config: HostConfig;
  db: Sequelize;
  logger: Logger;
}

/** Handed to a plugin's `register(ctx)`. Synchronous: bindings and contributions only. */
export interface PluginContext {
  readonly id: string;
  readonly manifest: PluginManifest;
  readonly dir: string;
  /** Adds the plugin's Inversify bindings. */
  bind(module: ContainerModule): void;
  /** Declares an extension point this plugin owns; a duplicate id fails the plugin that declares it second. */
  declare(point: ExtensionPoint<Contribution>): void;
  /** Contributes to an extension point; the contribution carries this plugin's id. */
  extend<T extends Contribution>(point: ExtensionPoint<T>, contribution: T): void;
  on<P>(event: EventDefinition<P>, handler: EventHandler<P>): void;
  /** A handler that may veto the write by throwing. */
  onBefore<P>(event: EventDefinition<P>, handler: EventHandler<P>): void;
  route(route: RouteDefinition): void;
  /** Registers a job type, named `<pluginId>.<type>`. */
  job<P>(type: string, handler: JobHandler<P>): void;
  onStart(fn: (host: HostServices) => Promise<void> | void): void;
  onStop(fn: (host: HostServices) => Promise<void> | void): void;
  /** Resolves a service; available once the host has started, e.g. inside route handlers. */
  get<T>(token: symbol): T;
  /** The plugin's settings as an administrator saved them, with the schema's defaults filled in. */
  settings<T extends Record<string, unknown>>(): Promise<T>;
}

export interface PluginModule {
  register(ctx: PluginContext): void;
}

// ---------------------------------------------------------------------------------------------
// The host's own extension points

export interface MenuItem extends Contribution {
  /** i18n key of the label. */
  title: string;
  href: string;
  /** A Bootstrap Icons name, e.g. `people`. */
  icon?: string;
}

export interface AdminPage extends Contribution {
  title: string;
  href: string;
  icon?: string;
}

export interface CliCommand extends Contribution {
  /** Adds a subcommand; its action receives the started host. */
  configure(program: Command, run: (action: (host: HostServices) => Promise<void>) => Promise<void>): void;
}

export interface Seeder extends Contribution {
  /** Writes demo data. `size` is the number of main records the caller asked for, if any. */
  run(host: HostServices, options: { size?: number }): Promise<string | void>;
}

/**
 * Adds settings of a plugin to permission profiles (groups): extra properties in the groups API
 * and a section of the group form. The CRM's access plugin uses it for "classes" and "only own".
 */
export interface GroupExtension extends Contribution {
  /** JSON Schema properties this extension adds to `POST|PATCH /api/v1/groups` bodies. */
  properties: Record<string, JsonSchema>;
  /** The extension's values for these groups, merged into the API's group JSON. */
  read(groupIds: number[]): Promise<Map<number, Record<string, unknown>>>;
  /** Saves the extension's properties present in `input` (already validated). */
  write(groupId: number, input: Record<string, unknown>): Promise<void>;
  /** Checks values beyond the schema (e.g. that referenced records exist); field errors or none. */
  check?(input: Record<string, unknown>): Promise<FieldError[]>;
  /** The extension's section of the group form, as HTML rendered by the plugin's own view. */
  renderForm(req: Request, values: Record<string, unknown>): Promise<string>;
  /** Reads the extension's inputs from a posted group form into the API shape. */
  parseForm(body: Record<string, unknown>): Record<string, unknown>;
}

export const menuItems = defineExtensionPoint<MenuItem>('host.menu/v1');
export const groupExtensions = defineExtensionPoint<GroupExtension>('host.group-extension/v1');
export const adminPages = defineExtensionPoint<AdminPage>('host.admin-page/v1');
export const cliCommands = defineExtensionPoint<CliCommand>('host.cli-command/v1');
export const seeders = defineExtensionPoint<Seeder>('host.seed/v1');

/** Adds a one-time message shown at the top of the next page the user sees. */
export function flash(req: Request, type: 'success' | 'danger' | 'info' | 'warning', message: string): void {
  const session = (req as Request & { session?: { flash?: Array<{ type: string; message: string }> } }).session;
  if (session) session.flash = [...(session.flash ?? []), { type, message }];
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: CurrentUser;
    language: Language;
    t: TFunction;
    /** True when the request was authenticated with a bearer token (no CSRF check). */
    viaToken?: boolean;
  }
}

// ---------------------------------------------------------------------------------------------
// Migrations: files in a plugin's `migrations/` folder export `up` and `down`.

export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
  DataTypes: typeof DataTypes;
  dialect: 'sqlite' | 'mysql';
}

export type MigrationFn = (params: { name: string; context: MigrationContext }) => Promise<void>;

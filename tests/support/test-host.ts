/**
 * Boots a real host for a test on a fresh database (SQLite, or a new MariaDB database when
 * CRM_TEST_DATABASE_URL is set) and signs agents in through the real login form.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { TOKENS, type HostConfig, type UsersService, type GroupsService } from '../../host/api.js';
import { createHost, type Host } from '../../host/boot.js';
import { createTestDatabase } from './test-database.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const FIXTURES = path.join(ROOT, 'tests', 'fixtures');
export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

export interface TestHost extends Host {
  /** A supertest agent signed in as the given user (the admin by default). */
  login(email?: string, password?: string): Promise<TestAgent>;
  /** Creates a user in a new group holding exactly these rights. */
  userWithRights(rights: string[], email?: string): Promise<{ email: string; password: string; id: number }>;
  dispose(): Promise<void>;
}

export interface TestHostOptions {
  pluginRoots?: string[];
  config?: Partial<HostConfig>;
  jobs?: boolean;
  /** Reuse a database URL (for restart tests); the caller owns its disposal. */
  databaseUrl?: string;
}

let counter = 0;

export async function createTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const database = options.databaseUrl ? null : await createTestDatabase();
  if (database) await database.db.close();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-test-data-'));
  const config: HostConfig = {
    env: 'test',
    port: 0,
    dataDir,
    databaseUrl: options.databaseUrl ?? database!.url,
    redisUrl: null,
    sessionSecret: 'test-session-secret-0123456789',
    smtpUrl: null,
    ldap: null,
    logLevel: 'silent',
    pluginPaths: [],
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    loginRateLimit: { windowMs: 60_000, max: 1000 },
    seedDemo: false,
    trustProxy: 'loopback',
    // Tests keep V8's own heap growth (only the server's and the CLI's entry points apply one).
    heapGrowthPercent: 0,
    ...options.config,
  };
  const host = await createHost({
    config,
    pluginRoots: options.pluginRoots ?? [],
    jobs: options.jobs ?? false,
    logger: pino({ level: 'silent' }),
  });

  async function login(email = ADMIN.email, password = ADMIN.password): Promise<TestAgent> {
    const agent = request.agent(host.app!);
    const page = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email, password });
    if (res.status !== 302) throw new Error(`login as ${email} failed with ${res.status}`);
    return agent;
  }

  async function userWithRights(rights: string[], email = `user${++counter}@example.com`) {
    const groups = host.services.get<GroupsService>(TOKENS.Groups);
    const group = await groups.create({ name: `group for ${email}`, rights });
    const password = 'user-password-1';
    const user = await host.services.get<UsersService>(TOKENS.Users).create({ email, password, name: email.split('@')[0]!, groups: [group.id] });
    return { email, password, id: user.id };
  }

  return Object.assign(host, {
    login,
    userWithRights,
    async dispose() {
      await host.stop();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** The CSRF token of a page the agent can open (from the layout's meta tag). */
export async function csrfOf(agent: TestAgent, url = '/'): Promise<string> {
  const res = await agent.get(url);
  const token = /<meta name="csrf-token" content="([^"]*)"/.exec(res.text)?.[1] ?? /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!token) throw new Error(`no CSRF token on ${url} (status ${res.status})`);
  return token;
}

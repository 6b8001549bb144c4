/**
 * The TypeScript sources of a new plugin, as functions returning file contents. `host` holds the
 * import specifiers of host modules, relative to the file being written.
 */
import type { PluginNames } from './plugin-names.js';

export interface HostImports {
  /** From the plugin folder, `services/`, `migrations/` and `tests/` to host/api.js. */
  api: { root: string; services: string; migrations: string };
  /** From `tests/` to host/boot.js and host/config/load-config.js. */
  boot: string;
  loadConfig: string;
}

export function apiFile(n: PluginNames): string {
  return `/**
 * The public surface of the ${n.id} plugin: the tokens and types other plugins may use once they
 * list "${n.id}" in the dependencies of their manifest.
 */
export const ${n.pascal}Tokens = {
  Service: Symbol.for('${n.id}.Service'),
} as const;

export interface ${n.pascal}Item {
  id: number;
  title: string;
  createdAt: Date;
}

export interface ${n.pascal}Service {
  /** Items, newest first. */
  list(limit?: number): Promise<${n.pascal}Item[]>;
  add(title: string): Promise<void>;
}
`;
}

export function indexFile(n: PluginNames, host: HostImports): string {
  return `/** The ${n.id} plugin's entry: register(ctx) declares bindings, menu, routes and commands. */
import { ContainerModule, TOKENS, cliCommands, menuItems, type PluginContext, type ViewRenderer } from '${host.api.root}';
import { ${n.pascal}Tokens, type ${n.pascal}Item, type ${n.pascal}Service } from './api.js';
import { ${n.pascal}ServiceImpl } from './services/${n.id}-service.js';

const ACCESS = '${n.id}.access';
const MANAGE = '${n.id}.manage';

const itemJson = (item: ${n.pascal}Item) => ({ id: item.id, title: item.title, created_at: item.createdAt });

export function register(ctx: PluginContext): void {
  const service = () => ctx.get<${n.pascal}Service>(${n.pascal}Tokens.Service);

  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(${n.pascal}Tokens.Service).to(${n.pascal}ServiceImpl);
    }),
  );

  ctx.extend(menuItems, { id: '${n.id}', title: '${n.id}:title', href: '/${n.id}', icon: 'puzzle', right: ACCESS });

  ctx.route({
    method: 'get',
    path: '/',
    right: ACCESS,
    handler: async (req, res) => {
      const html = await ctx.get<ViewRenderer>(TOKENS.Views).renderPage(req, '${n.id}/index', {
        title: req.t('${n.id}:title'),
        items: await service().list(),
        canManage: req.user!.can(MANAGE),
      });
      res.type('html').send(html);
    },
  });

  ctx.route({
    method: 'post',
    path: '/items',
    right: MANAGE,
    body: {
      type: 'object',
      properties: { title: { type: 'string', minLength: 1, maxLength: 190, pattern: '\\\\S' } },
      required: ['title'],
    },
    handler: async (req, res) => {
      await service().add(String(req.body.title));
      res.redirect('/${n.id}');
    },
  });

  ctx.route({
    method: 'get',
    path: '/${n.id}/items',
    api: true,
    right: ACCESS,
    summary: '${n.title} items, newest first',
    handler: async (_req, res) => {
      res.json({ items: (await service().list()).map(itemJson) });
    },
  });

  ctx.extend(cliCommands, {
    id: 'add',
    configure(program, run) {
      program
        .command('${n.id}:add <title>')
        .description('add an item to ${n.title}')
        .action((title: string) =>
          run(async (host) => {
            await host.get<${n.pascal}Service>(${n.pascal}Tokens.Service).add(title);
            console.log(\`Added "\${title}" to ${n.id}.\`);
          }),
        );
    },
  });
}
`;
}

/**
 * The service. Outside the project's tsconfig, tsx compiles without experimentalDecorators, so
 * there the same decorators are applied as plain calls.
 */
export function serviceFile(n: PluginNames, host: HostImports, decorators: boolean): string {
  const classHead = decorators
    ? `@injectable()
export class ${n.pascal}ServiceImpl implements ${n.pascal}Service {
  constructor(@inject(TOKENS.Database) private readonly db: Sequelize) {}`
    : `export class ${n.pascal}ServiceImpl implements ${n.pascal}Service {
  constructor(private readonly db: Sequelize) {}`;
  const tail = decorators
    ? ''
    : `
// This folder is outside the host's tsconfig, where tsx compiles without experimentalDecorators:
// the same as \`@injectable()\` on the class and \`@inject(TOKENS.Database)\` on \`db\`.
inject(TOKENS.Database)(${n.pascal}ServiceImpl, undefined, 0);
injectable()(${n.pascal}ServiceImpl);
`;
  return `/** Reads and writes the ${n.table} table. */
import type { Sequelize } from 'sequelize';
import { TOKENS, inject, injectable } from '${host.api.services}';
import type { ${n.pascal}Item, ${n.pascal}Service } from '../api.js';

const TABLE = '${n.table}';

interface ItemRow {
  id: number | string;
  title: string;
  created_at: Date | string;
}

${classHead}

  async list(limit = 100): Promise<${n.pascal}Item[]> {
    const [rows] = await this.db.query(\`SELECT id, title, created_at FROM \${TABLE} ORDER BY id DESC LIMIT :limit\`, {
      replacements: { limit },
    });
    return (rows as ItemRow[]).map((r) => ({ id: Number(r.id), title: r.title, createdAt: new Date(r.created_at) }));
  }

  async add(title: string): Promise<void> {
    await this.db.getQueryInterface().bulkInsert(TABLE, [{ title: title.trim(), created_at: new Date() }]);
  }
}
${tail}`;
}

export function migrationFile(n: PluginNames, host: HostImports): string {
  return `import type { MigrationFn } from '${host.api.migrations}';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('${n.table}', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    title: { type: DataTypes.STRING(190), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('${n.table}');
};
`;
}

export function testFile(n: PluginNames, host: HostImports): string {
  return `import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import request from 'supertest';
import { createHost, type Host } from '${host.boot}';
import { loadConfig } from '${host.loadConfig}';
import { ${n.pascal}Tokens, type ${n.pascal}Service } from '../api.js';

/** The folder holding this plugin (and its siblings). */
const pluginsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function signIn(agent: ReturnType<typeof request.agent>, email: string, password: string): Promise<void> {
  const page = await agent.get('/login').expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  expect(csrf, 'CSRF token on the sign-in page').to.be.a('string');
  await agent.post('/login').type('form').send({ _csrf: csrf, email, password }).expect(302);
}

describe('plugin ${n.id}', () => {
  let dir: string;
  let host: Host;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), '${n.id}-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: \`sqlite:\${path.join(dir, 'test.sqlite')}\`,
      CRM_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      CRM_SEED_DEMO: '0',
    });
    host = await createHost({ config, pluginRoots: [pluginsRoot], jobs: false });
  });

  after(async () => {
    await host?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is enabled', () => {
    expect(host.plugins.get('${n.id}')?.state).to.equal('enabled');
    expect(host.plugins.isEnabled('${n.id}')).to.equal(true);
  });

  it('shows its items to the signed-in admin, on its page and in the API', async () => {
    await host.services.get<${n.pascal}Service>(${n.pascal}Tokens.Service).add('First item');
    const agent = request.agent(host.app!);
    await signIn(agent, host.config.adminEmail, host.config.adminPassword);

    const page = await agent.get('/${n.id}/').expect(200);
    expect(page.text).to.contain('First item');

    const api = await agent.get('/api/v1/${n.id}/items').expect(200);
    expect(api.body.items.map((i: { title: string }) => i.title)).to.deep.equal(['First item']);
  });
});
`;
}

/**
 * One migrator over the host's and every installed plugin's migration folders. Umzug names
 * migrations by basename, which collides across folders, so the list is built here: the host
 * first, then plugins in dependency order, files by name within each, named `<owner>/<file>`.
 * A database lock (MySQL GET_LOCK) keeps several starting instances from migrating at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataTypes, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type RunnableMigration } from 'umzug';
import type { Logger } from 'pino';
import type { MigrationContext, MigrationFn } from '../api.js';
import { importModule } from '../runtime/import-module.js';

export interface MigrationSource {
  owner: string;
  dir: string;
}

const MIGRATION_FILE = /\.(ts|js|mjs)$/;
const META_TABLE = 'host_migrations';
const LOCK_NAME = 'crm_host_migrations';

export function listMigrationFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .sort();
}

export class Migrator {
  constructor(
    private readonly db: Sequelize,
    private readonly logger: Logger,
  ) {}

  private context(): MigrationContext {
    return {
      queryInterface: this.db.getQueryInterface(),
      sequelize: this.db,
      DataTypes,
      dialect: this.db.getDialect() === 'sqlite' ? 'sqlite' : 'mysql',
    };
  }

  private migrations(sources: MigrationSource[]): RunnableMigration<MigrationContext>[] {
    return sources.flatMap(({ owner, dir }) =>
      listMigrationFiles(dir).map((file) => {
        const full = path.join(dir, file);
        const load = () => importModule<{ up: MigrationFn; down?: MigrationFn }>(full);
        return {
          name: `${owner}/${file}`,
          path: full,
          up: async (params) => (await load()).up(params),
          down: async (params) => {
            const mod = await load();
            if (mod.down) await mod.down(params);
          },
        };
      }),
    );
  }

  private umzug(sources: MigrationSource[]): Umzug<MigrationContext> {
    return new Umzug({
      migrations: this.migrations(sources),
      context: this.context(),
      storage: new SequelizeStorage({ sequelize: this.db, tableName: META_TABLE }),
      logger: {
        info: (m) => this.logger.info(m, 'migration'),
        warn: (m) => this.logger.warn(m, 'migration'),
        error: (m) => this.logger.error(m, 'migration'),
        debug: (m) => this.logger.debug(m, 'migration'),
      },
    });
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.db.getDialect() !== 'mysql') return fn();
    // GET_LOCK is per connection: hold one connection for the whole run.
    return this.db.transaction(async (transaction) => {
      const [rows] = await this.db.query('SELECT GET_LOCK(?, 120) AS got', { replacements: [LOCK_NAME], transaction });
      if ((rows as Array<{ got: number }>)[0]?.got !== 1) throw new Error('Could not take the migration lock within 120 s');
      try {
        return await fn();
      } finally {
        await this.db.query('SELECT RELEASE_LOCK(?)', { replacements: [LOCK_NAME], transaction });
      }
    });
  }

  /** Applies every pending migration of the given sources, in the given order. Returns their names. */
  async up(sources: MigrationSource[]): Promise<string[]> {
    return this.withLock(async () => (await this.umzug(sources).up()).map((m) => m.name));
  }

  async pending(sources: MigrationSource[]): Promise<string[]> {
    return (await this.umzug(sources).pending()).map((m) => m.name);
  }

  /** Every applied migration of every owner, in the order applied. */
  async executed(): Promise<string[]> {
    return new SequelizeStorage({ sequelize: this.db, tableName: META_TABLE }).executed();
  }

  /** Rolls back one owner's applied migrations, newest first, touching nobody else's. */
  async downAll(source: MigrationSource): Promise<string[]> {
    return this.withLock(async () => {
      const umzug = this.umzug([source]);
      const own = (await umzug.executed()).map((m) => m.name).filter((n) => n.startsWith(`${source.owner}/`));
      if (!own.length) return [];
      return (await umzug.down({ migrations: own.reverse() })).map((m) => m.name);
    });
  }
}

/**
 * Fresh, empty databases for benchmarks: a temporary SQLite file, or a new database named
 * `crm_bench_<random>` on the MySQL/MariaDB server of a `mysql://` (or `mariadb://`) URL. The host
 * migrates it when it boots. `drop()` removes it again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createMysqlDatabase as createServerDatabase } from '../tests/support/test-database.js';

export type BenchDialect = 'sqlite' | 'mysql';

export interface BenchDatabase {
  dialect: BenchDialect;
  url: string;
  /** Where it lives, for messages: a file path or `host:port/name`. */
  location: string;
  drop(): Promise<void>;
}

export function isMysqlUrl(url: string | undefined): url is string {
  return Boolean(url && /^(mysql|mariadb):\/\//.test(url));
}

export function createSqliteDatabase(prefix = 'crm-bench-db-'): BenchDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'bench.sqlite');
  return {
    dialect: 'sqlite',
    url: `sqlite:${file}`,
    location: file,
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Creates `crm_bench_<random>` on the server of `serverUrl` (its own database name is ignored). */
export async function createMysqlDatabase(serverUrl: string): Promise<BenchDatabase> {
  const db = await createServerDatabase(serverUrl, `crm_bench_${randomBytes(4).toString('hex')}`);
  return { dialect: 'mysql', url: db.url, location: `${db.server.host}:${db.server.port}/${db.name}`, drop: db.remove };
}

/** MySQL/MariaDB when `DATABASE_URL` names such a server, else a temporary SQLite file. */
export async function createBenchDatabase(databaseUrl = process.env.DATABASE_URL): Promise<BenchDatabase> {
  return isMysqlUrl(databaseUrl) ? createMysqlDatabase(databaseUrl) : createSqliteDatabase();
}

/**
 * An existing database used as it is and never dropped: a large base filled once with
 * `npm run crm -- seed --contacts 1000000` is measured by many runs.
 */
export function existingDatabase(url: string): BenchDatabase {
  return { dialect: isMysqlUrl(url) ? 'mysql' : 'sqlite', url, location: url.replace(/\/\/[^@]*@/, '//'), drop: async () => {} };
}

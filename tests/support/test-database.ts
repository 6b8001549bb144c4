/**
 * A fresh, migrated database for one test or suite: a temporary SQLite file by default, or a new
 * database on the MySQL/MariaDB server named by CRM_TEST_DATABASE_URL (its database name plus a
 * random suffix), so runs never see each other's rows. `drop()` removes it again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pino, { type Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { createDatabase, mysqlConnection } from '../../host/db/create-database.js';
import { Migrator } from '../../host/db/migrator.js';
import { ROOT } from '../../host/root.js';

export const HOST_MIGRATIONS = path.join(ROOT, 'migrations');

export interface TestDatabase {
  db: Sequelize;
  /** Open a second connection with `createDatabase(url, logger)` to play another instance. */
  url: string;
  /** Closes `db` (if still open) and deletes the database. */
  drop(): Promise<void>;
}

interface Created {
  url: string;
  remove(): Promise<void>;
}

/**
 * Creates a database on the server of `serverUrl`: `name`, or the URL's database name plus a
 * random suffix. Also used by the benchmarks.
 */
export async function createMysqlDatabase(serverUrl: string, name?: string): Promise<Created & { server: { host: string; port: number }; name: string }> {
  const parsed = new URL(serverUrl.replace(/^mariadb:/, 'mysql:'));
  const base = parsed.pathname.replace(/^\//, '') || 'crm_test';
  name ??= `${base}_${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
  const { username, ...where } = mysqlConnection(serverUrl);
  const server = { ...where, user: username };
  const run = async (sql: string): Promise<void> => {
    const connection = await mysql.createConnection(server);
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  await run(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  parsed.pathname = `/${name}`;
  return { url: parsed.toString(), remove: () => run(`DROP DATABASE IF EXISTS \`${name}\``), server, name };
}

function createSqliteDatabase(): Created {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-test-db-'));
  return { url: `sqlite:${path.join(dir, 'test.sqlite')}`, remove: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function createTestDatabase(options: { logger?: Logger } = {}): Promise<TestDatabase> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const serverUrl = process.env.CRM_TEST_DATABASE_URL;
  const created = serverUrl ? await createMysqlDatabase(serverUrl) : createSqliteDatabase();
  let db: Sequelize | null = null;
  try {
    db = await createDatabase(created.url, logger);
    await new Migrator(db, logger).up([{ owner: 'host', dir: HOST_MIGRATIONS }]);
  } catch (err) {
    await db?.close().catch(() => undefined);
    await created.remove();
    throw err;
  }
  const opened = db;
  return {
    db: opened,
    url: created.url,
    async drop() {
      // Callers may have closed it already (test-host does); closing twice is harmless here.
      await opened.close().catch(() => undefined);
      await created.remove();
    },
  };
}

/**
 * One Sequelize instance for the host and every plugin: SQLite by default, MySQL/MariaDB through
 * `mysql://` or `mariadb://` URLs (driven by mysql2), with optional read replicas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { format as formatSql } from 'mysql2';
import { Sequelize, type Options, type ReplicationOptions } from 'sequelize';
import type { Logger } from 'pino';
import { useTransactionContext } from './transaction-context.js';

export type Dialect = 'sqlite' | 'mysql';

/**
 * mysql2's `queryFormat`: a statement without values goes as it is. Sequelize writes its
 * replacements into the text itself and passes no values, yet mysql2 would scan every statement
 * for placeholders all the same (a bulk INSERT of hundreds of kilobytes, whole); with values it
 * formats exactly as mysql2 does by default.
 */
function sendAsWritten(this: { config: { stringifyObjects?: boolean; timezone?: string } }, sql: string, values: unknown): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0)) return sql;
  return formatSql(sql, values as never, this.config.stringifyObjects, this.config.timezone);
}

export function dialectOf(url: string): Dialect {
  return url.startsWith('sqlite:') ? 'sqlite' : 'mysql';
}

/**
 * Where a mysql:// URL connects: host and port, or the server's Unix socket when the URL names one
 * (`?socket=/run/mysqld/mysqld.sock`). On the same machine the socket skips the TCP stack, which
 * took about a tenth of an import's CPU time on each side, and allows MariaDB's unix_socket login.
 */
export function mysqlConnection(url: string): { host: string; port: number; username: string; password: string; socketPath?: string } {
  const parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const socketPath = parsed.searchParams.get('socket') || undefined;
  return {
    host: parsed.hostname || 'localhost',
    port: Number(parsed.port || 3306),
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    ...(socketPath ? { socketPath } : {}),
  };
}

function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
  return rest === ':memory:' || rest === '' ? ':memory:' : rest;
}

export async function createDatabase(url: string, logger: Logger, readUrls: string[] = []): Promise<Sequelize> {
  useTransactionContext();
  const logging = (sql: string) => logger.trace({ sql }, 'sql');
  let db: Sequelize;
  if (dialectOf(url) === 'sqlite') {
    const storage = sqlitePath(url);
    if (storage !== ':memory:') fs.mkdirSync(path.dirname(storage), { recursive: true });
    // One connection: SQLite serializes writers anyway, and a pool of one keeps
    // transactions from failing with SQLITE_BUSY under concurrent requests.
    db = new Sequelize({ dialect: 'sqlite', storage, logging, pool: { max: 1, min: 0 }, transactionType: 'IMMEDIATE' as Options['transactionType'] });
    await db.query('PRAGMA journal_mode = WAL');
    await db.query('PRAGMA foreign_keys = ON');
    await db.query('PRAGMA busy_timeout = 5000');
    await db.query('PRAGMA synchronous = NORMAL');
  } else {
    const parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const base = { charset: 'utf8mb4', supportBigNumbers: true, dateStrings: false, queryFormat: sendAsWritten };
    // mysql2 ignores host and port once it has a socket path.
    const dialectOptionsOf = (socketPath: string | undefined) => (socketPath ? { ...base, socketPath } : base);
    const { socketPath, ...connection } = mysqlConnection(url);
    const options: Options = {
      dialect: 'mysql',
      database: parsed.pathname.replace(/^\//, ''),
      ...connection,
      logging,
      timezone: '+00:00',
      dialectOptions: dialectOptionsOf(socketPath),
      define: { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
      pool: { max: 10, min: 0, idle: 10000 },
    };
    if (readUrls.length) {
      options.replication = {
        write: connection,
        // Each replica with its own dialect options: the main URL's socket must not carry over to them.
        read: readUrls.map((u) => {
          const { socketPath: replicaSocket, ...replica } = mysqlConnection(u);
          return { ...replica, dialectOptions: dialectOptionsOf(replicaSocket) } as ReplicationOptions['read'][number];
        }),
      };
    }
    db = new Sequelize(options);
    await db.authenticate();
  }
  return db;
}

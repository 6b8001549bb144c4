/**
 * Plain rows of the export's SELECTs. On MySQL/MariaDB the query goes to mysql2 itself, on a
 * connection of the host's pool: Sequelize's query layer (its promise and retry wrapping, result
 * formatting and copies of every row) cost as much again as mysql2's reading of the rows, some
 * 0.15 s per 100,000 contacts with their channels and custom values. Values come as Sequelize
 * gives them, since the connection's own type casting still runs. On SQLite the host's Sequelize
 * runs the queries (one connection, nothing to gain).
 *
 * A pool of the export's own, without Sequelize's type casting (mysql2 calls it with a new closure
 * for every field), read rows with less work on its own, yet the whole export took no less CPU
 * time and the host's peak RSS was 30–60 MB higher.
 */
import { QueryTypes, type Sequelize } from 'sequelize';

export interface RowSource {
  /** The rows of a SELECT; `params` fill its `?`s. */
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** What the export needs of a mysql2 connection. */
interface MysqlConnection {
  query(options: { sql: string; values: unknown[] }, callback: (err: Error | null, rows: unknown) => void): void;
}

class SequelizeRows implements RowSource {
  constructor(private readonly db: Sequelize) {}

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query(sql, { type: QueryTypes.SELECT, raw: true, replacements: params })) as T[];
  }
}

class MysqlRows implements RowSource {
  constructor(private readonly db: Sequelize) {}

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const manager = this.db.connectionManager;
    // A read connection: a replica when the host has them, as Sequelize sends its SELECTs.
    const connection = (await manager.getConnection({ type: 'read' })) as MysqlConnection;
    try {
      return await new Promise<T[]>((resolve, reject) => connection.query({ sql, values: params }, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
    } finally {
      manager.releaseConnection(connection);
    }
  }
}

/** The export's source of rows for this database. */
export function rowSource(db: Sequelize): RowSource {
  return db.getDialect() === 'sqlite' ? new SequelizeRows(db) : new MysqlRows(db);
}

/** Small SQL helpers that differ between SQLite and MariaDB, or that every service needs. */
import type { Sequelize } from 'sequelize';

/** `INSERT IGNORE` (MariaDB) or `INSERT OR IGNORE` (SQLite): concurrent writers add the same row at most once. */
export function insertIgnore(db: Sequelize): string {
  return db.getDialect() === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
}

/** Rows changed by an UPDATE or DELETE: mysql2 reports affectedRows, sqlite3 `changes`. */
export function affected(meta: unknown): number {
  const m = meta as { affectedRows?: number; changes?: number } | number | undefined;
  if (typeof m === 'number') return m;
  return Number(m?.affectedRows ?? m?.changes ?? 0);
}

export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export const iso = (d: Date | string): string => new Date(d).toISOString();

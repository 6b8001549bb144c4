/** Small SQL helpers that differ between SQLite and MariaDB, or that every query here needs. */
import type { Sequelize } from 'sequelize';

/** `INSERT IGNORE` (MariaDB) or `INSERT OR IGNORE` (SQLite): concurrent writers add the same member at most once. */
export function insertIgnore(db: Sequelize): string {
  return db.getDialect() === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
}

export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export const iso = (d: Date | string): string => new Date(d).toISOString();

/** Positive safe integers, once each, in the order given. */
export function idList(ids: unknown[]): number[] {
  return [...new Set(ids.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647))];
}

/** Reading tag rows and creating missing tags: shared by the vocabulary and the contact writer. */
import { QueryTypes, type Sequelize } from 'sequelize';
import { HttpError } from '../../../host/api.js';
import type { Tag } from '../api.js';
import { cleanName, defaultColor, distinctNames, foldName, nameProblem } from './names.js';
import { insertIgnore, iso, marks } from './sql.js';

export interface TagRow {
  id: number | string;
  name: string;
  color: string;
  created_at: string | Date;
}

export const TAG_COLUMNS = 't.id, t.name, t.color, t.created_at';

export function toTag(r: TagRow): Tag {
  return { id: Number(r.id), name: r.name, color: r.color, created_at: iso(r.created_at) };
}

/** 400 with the first name's problem, per field `names.<i>` (or `field` for one name). */
export function assertNames(names: unknown[], field = 'name'): void {
  const details = names.flatMap((n, i) => {
    const message = nameProblem(n);
    return message ? [{ field: names.length === 1 ? field : `${field}.${i}`, code: 'invalid', message, params: { max: 100 } }] : [];
  });
  if (details.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', details);
}

export async function tagsByKeys(db: Sequelize, keys: string[]): Promise<Tag[]> {
  if (!keys.length) return [];
  const rows = await db.query<TagRow>(`SELECT ${TAG_COLUMNS} FROM tags_tags t WHERE t.name_key IN (${marks(keys.length)})`, { replacements: keys, type: QueryTypes.SELECT });
  return rows.map(toTag);
}

/**
 * The tags of these (already checked) names in the order given, inserting the missing ones.
 * Concurrent callers may insert the same name: the unique key keeps one, the first spelling.
 */
export async function ensureTags(db: Sequelize, names: string[], colors: Map<string, string> = new Map()): Promise<Tag[]> {
  const wanted = distinctNames(names);
  if (!wanted.length) return [];
  const keys = wanted.map(foldName);
  const found = new Map((await tagsByKeys(db, keys)).map((t) => [foldName(t.name), t]));
  const missing = wanted.filter((n) => !found.has(foldName(n)));
  if (missing.length) {
    const now = new Date();
    await db.query(`${insertIgnore(db)} INTO tags_tags (name, name_key, color, created_at) VALUES ${missing.map(() => '(?, ?, ?, ?)').join(', ')}`, {
      replacements: missing.flatMap((n) => [cleanName(n), foldName(n), colors.get(foldName(n)) ?? defaultColor(foldName(n)), now]),
    });
    for (const t of await tagsByKeys(db, missing.map(foldName))) found.set(foldName(t.name), t);
  }
  return keys.map((k) => found.get(k)).filter((t): t is Tag => Boolean(t));
}

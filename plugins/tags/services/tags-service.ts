/**
 * The tag vocabulary: listing with counts inside the caller's access scope, suggestions, and the
 * administrators' rename, recolour, merge and delete. Merges and deletes change contacts, so they
 * go through the contact writer, which writes history per contact.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../../crm/api.js';
import { TagsTokens, type Tag, type TagsService, type TagWithCount } from '../api.js';
import type { ContactTagsImpl } from './contact-tags.js';
import { cleanName, foldName, isColor, likeEscape } from './names.js';
import { TAG_COLUMNS, assertNames, ensureTags, tagsByKeys, toTag, type TagRow } from './vocabulary.js';

const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');
const badColor = () => new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'color', code: 'pattern', message: 'tags:errors.bad_color' }]);

@injectable()
export class TagsImpl implements TagsService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(TagsTokens.ContactTags) private readonly contactTags: ContactTagsImpl,
  ) {}

  /** Visible contacts per tag: the scope joined in, the trash left out. */
  private counts(user: CurrentUser): { sql: string; params: unknown[] } {
    const scope = this.scope.condition(user, 'c');
    return {
      sql: `SELECT ct.tag_id, COUNT(*) AS n FROM tags_contact_tags ct JOIN crm_contacts c ON c.id = ct.contact_id WHERE c.deleted_at IS NULL AND ${scope.sql} GROUP BY ct.tag_id`,
      params: scope.params,
    };
  }

  async list(user: CurrentUser, options: { q?: string; limit?: number } = {}): Promise<TagWithCount[]> {
    const counts = this.counts(user);
    const where: string[] = [];
    const params: unknown[] = [...counts.params];
    const q = options.q ? foldName(options.q) : '';
    if (q) {
      where.push("t.name_key LIKE ? ESCAPE '!'");
      params.push(`%${likeEscape(q)}%`);
    }
    const limit = Math.min(Math.max(Math.floor(options.limit ?? 10_000), 1), 10_000);
    const rows = await this.db.query<TagRow & { n: number | string | null }>(
      `SELECT ${TAG_COLUMNS}, x.n FROM tags_tags t LEFT JOIN (${counts.sql}) x ON x.tag_id = t.id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t.name_key, t.id LIMIT ${limit}`,
      { replacements: params, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ ...toTag(r), count: Number(r.n ?? 0) }));
  }

  async cloud(user: CurrentUser, limit = 80): Promise<TagWithCount[]> {
    const counts = this.counts(user);
    const rows = await this.db.query<TagRow & { n: number | string }>(
      `SELECT ${TAG_COLUMNS}, x.n FROM (${counts.sql}) x JOIN tags_tags t ON t.id = x.tag_id ORDER BY x.n DESC, t.name_key LIMIT ${Math.min(Math.max(Math.floor(limit), 1), 1000)}`,
      { replacements: counts.params, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ ...toTag(r), count: Number(r.n) }));
  }

  async get(id: number): Promise<Tag | null> {
    const [row] = await this.db.query<TagRow>(`SELECT ${TAG_COLUMNS} FROM tags_tags t WHERE t.id = ?`, { replacements: [id], type: QueryTypes.SELECT });
    return row ? toTag(row) : null;
  }

  private async need(id: number): Promise<Tag> {
    const tag = await this.get(id);
    if (!tag) throw notFound();
    return tag;
  }

  async create(name: string, color?: string): Promise<Tag> {
    assertNames([name]);
    if (color !== undefined && !isColor(color)) throw badColor();
    const [existing] = await tagsByKeys(this.db, [foldName(name)]);
    if (existing) throw new HttpError(409, 'conflict', 'tags:errors.exists', { id: existing.id, name: existing.name });
    const colors = new Map(color ? [[foldName(name), color.toLowerCase()]] : []);
    return (await ensureTags(this.db, [name], colors))[0]!;
  }

  ensure(names: string[]): Promise<Tag[]> {
    assertNames(names, 'names');
    return ensureTags(this.db, names);
  }

  async update(id: number, input: { name?: string; color?: string }, userId: number | null): Promise<{ tag: Tag; merged: boolean }> {
    let tag = await this.need(id);
    if (input.color !== undefined && !isColor(input.color)) throw badColor();
    if (input.name !== undefined) {
      assertNames([input.name]);
      const [other] = await tagsByKeys(this.db, [foldName(input.name)]);
      if (other && other.id !== id) return { tag: (await this.merge([id], other.id, userId)).tag, merged: true };
      try {
        await this.db.query('UPDATE tags_tags SET name = ?, name_key = ? WHERE id = ?', { replacements: [cleanName(input.name), foldName(input.name), id] });
      } catch (e) {
        // Another request took the name between the check and the update.
        if ((e as Error).name === 'SequelizeUniqueConstraintError') throw new HttpError(409, 'conflict', 'tags:errors.exists');
        throw e;
      }
    }
    if (input.color !== undefined) await this.db.query('UPDATE tags_tags SET color = ? WHERE id = ?', { replacements: [input.color.toLowerCase(), id] });
    tag = await this.need(id);
    return { tag, merged: false };
  }

  async merge(sourceIds: number[], intoId: number, userId: number | null): Promise<{ tag: Tag; contacts: number }> {
    const into = await this.need(intoId);
    const sources = [...new Set(sourceIds)].filter((s) => s !== intoId);
    if (!sources.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'into_id', code: 'invalid', message: 'tags:errors.merge_self' }]);
    for (const s of sources) await this.need(s);
    const contacts = await this.contactTags.retag(sources, into, userId);
    await this.db.query(`DELETE FROM tags_tags WHERE id IN (${sources.map(() => '?').join(', ')})`, { replacements: sources });
    return { tag: into, contacts };
  }

  async remove(id: number, userId: number | null): Promise<{ contacts: number }> {
    await this.need(id);
    const contacts = await this.contactTags.retag([id], null, userId);
    await this.db.query('DELETE FROM tags_tags WHERE id = ?', { replacements: [id] });
    return { contacts };
  }

  async suggest(text: string, options: { exclude?: number[]; limit?: number } = {}): Promise<Tag[]> {
    const key = foldName(text);
    const limit = Math.min(Math.max(Math.floor(options.limit ?? 8), 1), 50);
    const exclude = options.exclude ?? [];
    const where = exclude.length ? [`t.id NOT IN (${exclude.map(() => '?').join(', ')})`] : [];
    const params: unknown[] = [...exclude];
    if (!key) {
      // Nothing typed yet: the most used tags.
      const rows = await this.db.query<TagRow>(
        `SELECT ${TAG_COLUMNS} FROM tags_tags t LEFT JOIN (SELECT tag_id, COUNT(*) AS n FROM tags_contact_tags GROUP BY tag_id) x ON x.tag_id = t.id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY COALESCE(x.n, 0) DESC, t.name_key LIMIT ${limit}`,
        { replacements: params, type: QueryTypes.SELECT },
      );
      return rows.map(toTag);
    }
    where.push("t.name_key LIKE ? ESCAPE '!'");
    params.push(`%${likeEscape(key)}%`);
    const rows = await this.db.query<TagRow & { prefix: number | string }>(
      `SELECT ${TAG_COLUMNS}, CASE WHEN t.name_key LIKE ? ESCAPE '!' THEN 0 ELSE 1 END AS prefix FROM tags_tags t WHERE ${where.join(' AND ')} ORDER BY prefix, t.name_key LIMIT ${limit}`,
      { replacements: [`${likeEscape(key)}%`, ...params], type: QueryTypes.SELECT },
    );
    return rows.map(toTag);
  }
}

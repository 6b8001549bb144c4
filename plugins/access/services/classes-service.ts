/**
 * Contact classes: the list administrators keep (name, colour, order), and deleting one, which
 * leaves its contacts unclassified with a history entry each, in batches so a class of a hundred
 * thousand contacts never holds one huge transaction.
 */
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type CurrentUser } from '../../../host/api.js';
import { CrmTokens, type ContactScope, type HistoryWriter } from '../../crm/api.js';
import type { ClassesService, ClassInput, ContactClass } from '../api.js';
import { fieldError, invalid, notFound } from './errors.js';

export const CLASS_COLOR = /^#[0-9a-f]{6}$/;
/** Contacts unclassified per transaction when a class is deleted. */
export const DELETE_BATCH = 500;

interface ClassRow {
  id: number;
  name: string;
  color: string | null;
  sort: number;
}

const toClass = (r: ClassRow): ContactClass => ({ id: Number(r.id), name: r.name, color: r.color ?? null, sort: Number(r.sort) });

@injectable()
export class ClassesServiceImpl implements ClassesService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
  ) {}

  async list(): Promise<ContactClass[]> {
    const [rows] = await this.db.query('SELECT id, name, color, sort FROM access_classes ORDER BY sort, id');
    return (rows as ClassRow[]).map(toClass);
  }

  async get(id: number): Promise<ContactClass | null> {
    const [rows] = await this.db.query('SELECT id, name, color, sort FROM access_classes WHERE id = ?', { replacements: [id] });
    const row = (rows as ClassRow[])[0];
    return row ? toClass(row) : null;
  }

  /** Trims and checks a name and colour; a name must be unique regardless of case. */
  private async clean(input: ClassInput, selfId: number | null): Promise<{ name?: string; color?: string | null }> {
    const out: { name?: string; color?: string | null } = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw invalid([fieldError('name', 'required', 'host:validation.required')]);
      if (name.length > 190) throw invalid([fieldError('name', 'too_long', 'access:errors.name_too_long')]);
      const [rows] = await this.db.query('SELECT id FROM access_classes WHERE LOWER(name) = LOWER(?)', { replacements: [name] });
      if ((rows as Array<{ id: number }>).some((r) => Number(r.id) !== selfId)) {
        throw new HttpError(409, 'conflict', 'access:errors.name_taken', [fieldError('name', 'taken', 'access:errors.name_taken', { name })], { name });
      }
      out.name = name;
    }
    if (input.color !== undefined) {
      const color = input.color === null || input.color.trim() === '' ? null : input.color.trim().toLowerCase();
      if (color !== null && !CLASS_COLOR.test(color)) throw invalid([fieldError('color', 'pattern', 'access:errors.bad_color')]);
      out.color = color;
    }
    return out;
  }

  async create(input: ClassInput & { name: string }): Promise<ContactClass> {
    const clean = await this.clean(input, null);
    const [rows] = await this.db.query('SELECT COALESCE(MAX(sort), 0) AS m FROM access_classes');
    const sort = input.sort ?? Number((rows as Array<{ m: number }>)[0]!.m) + 1;
    const now = new Date();
    await this.db.query('INSERT INTO access_classes (name, color, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', {
      replacements: [clean.name, clean.color ?? null, sort, now, now],
    });
    const [created] = await this.db.query('SELECT id, name, color, sort FROM access_classes WHERE name = ?', { replacements: [clean.name] });
    return toClass((created as ClassRow[])[0]!);
  }

  async update(id: number, input: ClassInput): Promise<ContactClass> {
    if (!(await this.get(id))) throw notFound();
    const clean = await this.clean(input, id);
    const changes: Record<string, unknown> = { ...clean, ...(input.sort !== undefined ? { sort: input.sort } : {}) };
    const columns = Object.keys(changes); // name, color, sort: fixed names, never user input
    if (columns.length) {
      await this.db.query(`UPDATE access_classes SET ${columns.map((c) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`, {
        replacements: [...Object.values(changes), new Date(), id],
      });
    }
    return (await this.get(id))!;
  }

  async reorder(ids: number[]): Promise<void> {
    const all = await this.list();
    const known = new Set(all.map((c) => c.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw invalid([fieldError('ids', 'unknown', 'access:errors.unknown_class')]);
    const order = [...new Set(ids), ...all.map((c) => c.id).filter((id) => !ids.includes(id))];
    await this.db.transaction(async (transaction) => {
      for (const [sort, id] of order.entries()) await this.db.query('UPDATE access_classes SET sort = ? WHERE id = ?', { replacements: [sort + 1, id], transaction });
    });
  }

  async remove(user: CurrentUser, id: number): Promise<{ unclassified: number }> {
    if (!(await this.get(id))) throw notFound();
    let unclassified = 0;
    for (;;) {
      const n = await this.db.transaction(async (transaction) => {
        const [rows] = await this.db.query(`SELECT id FROM crm_contacts WHERE class_id = ? ORDER BY id LIMIT ${DELETE_BATCH}`, { replacements: [id], transaction });
        const ids = (rows as Array<{ id: number }>).map((r) => Number(r.id));
        if (!ids.length) return 0;
        await this.db.query(`UPDATE crm_contacts SET class_id = NULL, version = version + 1, updated_at = ? WHERE class_id = ? AND id IN (${ids.map(() => '?').join(', ')})`, {
          replacements: [new Date(), id, ...ids],
          transaction,
        });
        await this.history.record(ids.map((contactId) => ({ contactId, action: 'update', field: 'class_id', oldValue: id, newValue: null })), user.id, transaction);
        return ids.length;
      });
      unclassified += n;
      if (n < DELETE_BATCH) break;
    }
    await this.db.transaction(async (transaction) => {
      await this.db.query('DELETE FROM access_group_classes WHERE class_id = ?', { replacements: [id], transaction });
      await this.db.query('DELETE FROM access_classes WHERE id = ?', { replacements: [id], transaction });
    });
    return { unclassified };
  }

  /** Contacts per class that this user may see, outside the trash (the admin page's counts). */
  async counts(user: CurrentUser): Promise<Map<number, number>> {
    const scope = this.scope.condition(user, 'c');
    const [rows] = await this.db.query(
      `SELECT c.class_id AS class_id, COUNT(*) AS n FROM crm_contacts c WHERE c.class_id IS NOT NULL AND c.deleted_at IS NULL AND ${scope.sql} GROUP BY c.class_id`,
      { replacements: scope.params },
    );
    return new Map((rows as Array<{ class_id: number; n: number }>).map((r) => [Number(r.class_id), Number(r.n)]));
  }
}

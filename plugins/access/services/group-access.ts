/**
 * What each group (permission profile) grants: a level per class and "only my clients". Read
 * and written through the host's group extension (the groups API and the group form), and read
 * by the class writer to know which classes a user may assign.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { TOKENS, inject, injectable, type CurrentUser, type FieldError } from '../../../host/api.js';
import { ACCESS_LEVELS, type AccessLevel, type GroupAccess } from '../api.js';
import { fieldError } from './errors.js';

const isLevel = (v: unknown): v is AccessLevel => (ACCESS_LEVELS as readonly unknown[]).includes(v);

@injectable()
export class GroupAccessStore {
  constructor(@inject(TOKENS.Database) private readonly db: Sequelize) {}

  async read(groupIds: number[]): Promise<Map<number, GroupAccess>> {
    const out = new Map<number, GroupAccess>(groupIds.map((id) => [id, { classes: {}, only_own: false }]));
    if (!groupIds.length) return out;
    const list = groupIds.map(() => '?').join(', ');
    const [classes] = await this.db.query(`SELECT gc.group_id, gc.class_id, gc.level FROM access_group_classes gc JOIN access_classes k ON k.id = gc.class_id WHERE gc.group_id IN (${list}) ORDER BY k.sort, k.id`, {
      replacements: groupIds,
    });
    for (const r of classes as Array<{ group_id: number; class_id: number; level: string }>) {
      const entry = out.get(Number(r.group_id));
      if (entry && isLevel(r.level)) entry.classes[String(r.class_id)] = r.level;
    }
    const [options] = await this.db.query(`SELECT group_id, only_own FROM access_group_options WHERE group_id IN (${list})`, { replacements: groupIds });
    for (const r of options as Array<{ group_id: number; only_own: number | boolean }>) {
      const entry = out.get(Number(r.group_id));
      if (entry) entry.only_own = Boolean(r.only_own);
    }
    return out;
  }

  /** Saves what is present: `classes` replaces the group's whole map ("none" or a missing class removes it). */
  async write(groupId: number, input: Partial<{ classes: Record<string, string>; only_own: boolean }>, transaction?: Transaction): Promise<void> {
    const run = async (t: Transaction) => {
      if (input.classes !== undefined) {
        await this.db.query('DELETE FROM access_group_classes WHERE group_id = ?', { replacements: [groupId], transaction: t });
        for (const [classId, level] of Object.entries(input.classes)) {
          if (!isLevel(level)) continue;
          await this.db.query('INSERT INTO access_group_classes (group_id, class_id, level) VALUES (?, ?, ?)', { replacements: [groupId, Number(classId), level], transaction: t });
        }
      }
      if (input.only_own !== undefined) {
        await this.db.query('DELETE FROM access_group_options WHERE group_id = ?', { replacements: [groupId], transaction: t });
        await this.db.query('INSERT INTO access_group_options (group_id, only_own) VALUES (?, ?)', { replacements: [groupId, Boolean(input.only_own)], transaction: t });
      }
    };
    await (transaction ? run(transaction) : this.db.transaction(run));
  }

  /** Class ids must name existing classes. */
  async check(input: { classes?: Record<string, unknown> }): Promise<FieldError[]> {
    const ids = Object.keys(input.classes ?? {});
    if (!ids.length) return [];
    const numeric = ids.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
    const [rows] = numeric.length
      ? await this.db.query(`SELECT id FROM access_classes WHERE id IN (${numeric.map(() => '?').join(', ')})`, { replacements: numeric })
      : [[]];
    const known = new Set((rows as Array<{ id: number }>).map((r) => String(r.id)));
    return ids.filter((id) => !known.has(id)).map((id) => fieldError(`classes.${id}`, 'unknown', 'access:errors.unknown_class'));
  }

  /** Class ids the user's groups grant at "edit" (whatever "only my clients" says): what they may assign to a contact. */
  async editableClasses(user: CurrentUser): Promise<Set<number>> {
    const groupIds = user.groupIds.filter((id) => Number.isSafeInteger(id));
    if (!groupIds.length) return new Set();
    const [rows] = await this.db.query(`SELECT DISTINCT class_id FROM access_group_classes WHERE level = 'edit' AND group_id IN (${groupIds.map(() => '?').join(', ')})`, {
      replacements: groupIds,
    });
    return new Set((rows as Array<{ class_id: number }>).map((r) => Number(r.class_id)));
  }

  /** Groups granting each class, for the admin page and the card's "who can see" panel. */
  async groupsByClass(): Promise<Map<number, Array<{ group_id: number; name: string; level: AccessLevel; only_own: boolean }>>> {
    const [rows] = await this.db.query(
      `SELECT gc.class_id, gc.group_id, gc.level, g.name, COALESCE(o.only_own, ?) AS only_own
       FROM access_group_classes gc JOIN host_groups g ON g.id = gc.group_id LEFT JOIN access_group_options o ON o.group_id = gc.group_id
       ORDER BY g.name`,
      { replacements: [false] },
    );
    const out = new Map<number, Array<{ group_id: number; name: string; level: AccessLevel; only_own: boolean }>>();
    for (const r of rows as Array<{ class_id: number; group_id: number; level: string; name: string; only_own: number | boolean }>) {
      if (!isLevel(r.level)) continue;
      const list = out.get(Number(r.class_id)) ?? [];
      list.push({ group_id: Number(r.group_id), name: r.name, level: r.level, only_own: Boolean(r.only_own) });
      out.set(Number(r.class_id), list);
    }
    return out;
  }
}

/**
 * The contact class in import and export files, by the class's name (any case). Import puts the
 * named class on the contacts just written, inside the import's transaction, with a history entry
 * each; a class the importing user may not assign stops the import (the same rule as every save).
 */
import type { Sequelize } from 'sequelize';
import { TOKENS, type PluginContext, type UsersService } from '../../../host/api.js';
import { CrmTokens, type HistoryWriter, type IoColumn } from '../../crm/api.js';
import { AccessTokens, type ClassesService } from '../api.js';
import type { ClassWriter } from './class-writer.js';
import { invalid } from './errors.js';

export function classIoColumn(ctx: PluginContext): IoColumn {
  const classes = () => ctx.get<ClassesService>(AccessTokens.Classes);
  const byName = async () => new Map((await classes().list()).map((c) => [c.name.trim().toLowerCase(), c]));
  return {
    id: 'class',
    title: 'access:list.column',
    aliases: ['class', 'contact class', 'klasa', 'класс', 'клас'],
    reads: ['class_id'],
    async values(contacts) {
      const names = new Map((await classes().list()).map((c) => [c.id, c.name]));
      return new Map(contacts.map((c) => [c.id, c.class_id ? (names.get(c.class_id) ?? '') : '']));
    },
    async validate(value) {
      return (await byName()).has(value.trim().toLowerCase()) ? null : 'access:errors.unknown_class';
    },
    async apply(rows, { userId, transaction }) {
      const db = ctx.get<Sequelize>(TOKENS.Database);
      const user = userId === null ? null : await ctx.get<UsersService>(TOKENS.Users).currentUser(userId);
      const known = await byName();
      const writer = ctx.get<ClassWriter>(AccessTokens.ClassWriter);
      const groups = new Map<number, number[]>();
      for (const r of rows) {
        const found = known.get(r.value.trim().toLowerCase());
        if (found) groups.set(found.id, [...(groups.get(found.id) ?? []), r.contactId]);
      }
      for (const [classId, ids] of groups) {
        const errors = user ? await writer.checkClass(user, classId) : [];
        if (errors.length || !user) throw invalid(errors);
        const [found] = await db.query(`SELECT id, class_id FROM crm_contacts WHERE id IN (${ids.map(() => '?').join(', ')}) AND (class_id IS NULL OR class_id <> ?)`, {
          replacements: [...ids, classId],
          transaction,
        });
        const changed = found as Array<{ id: number; class_id: number | null }>;
        if (!changed.length) continue;
        await db.query(`UPDATE crm_contacts SET class_id = ?, version = version + 1, updated_at = ? WHERE id IN (${changed.map(() => '?').join(', ')})`, {
          replacements: [classId, new Date(), ...changed.map((c) => c.id)],
          transaction,
        });
        await ctx.get<HistoryWriter>(CrmTokens.History).record(
          changed.map((c) => ({ contactId: Number(c.id), action: 'update', field: 'class_id', oldValue: c.class_id === null ? null : Number(c.class_id), newValue: classId })),
          userId,
          transaction,
        );
      }
    },
  };
}

/**
 * Setting a contact's class: who may assign which class, the check on every contact save (the
 * CRM's "before save" event, so the API, the card and imports all obey it), and the list action
 * that sets the class of many contacts at once with a history entry each.
 */
import type { Sequelize } from 'sequelize';
import { TOKENS, inject, injectable, type CurrentUser, type FieldError } from '../../../host/api.js';
import { CrmTokens, type ContactInput, type ContactScope, type Contact, type HistoryWriter } from '../../crm/api.js';
import { AccessTokens, RIGHTS, type ClassesService } from '../api.js';
import { editCondition } from './access-sql.js';
import { fieldError, forbidden, invalid, positiveId } from './errors.js';
import type { GroupAccessStore } from './group-access.js';

/** Contacts changed per transaction by the list action. */
export const SET_CLASS_BATCH = 500;

@injectable()
export class ClassWriter {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
    @inject(AccessTokens.Classes) private readonly classes: ClassesService,
    @inject(AccessTokens.GroupAccess) private readonly groups: GroupAccessStore,
  ) {}

  /**
   * A class the user may put on a contact: administrators any; others a class one of their groups
   * grants at "edit" (so nobody hides a client in a class they could not edit). "No class" is
   * always allowed to whoever may edit the contact.
   */
  async mayAssign(user: CurrentUser, classId: number | null): Promise<boolean> {
    if (classId === null || user.isAdmin) return true;
    return (await this.groups.editableClasses(user)).has(classId);
  }

  /** Field errors for a class id: unknown, or not one the user may assign. */
  async checkClass(user: CurrentUser, classId: number | null, field = 'class_id'): Promise<FieldError[]> {
    if (classId === null) return [];
    if (!(await this.classes.get(classId))) return [fieldError(field, 'unknown', 'access:errors.unknown_class')];
    if (!(await this.mayAssign(user, classId))) return [fieldError(field, 'not_allowed', 'access:errors.class_not_allowed')];
    return [];
  }

  /** The CRM's before-save check: a changed class must be assignable; only staff editors change the staff flag. */
  async beforeSave(input: ContactInput, existing: Contact | null, user: CurrentUser): Promise<void> {
    const errors: FieldError[] = [];
    if (input.class_id !== undefined) {
      const next = input.class_id === null ? null : (positiveId(input.class_id) ?? -1);
      if (next !== (existing?.class_id ?? null)) errors.push(...(await this.checkClass(user, next)));
    }
    if (input.is_staff !== undefined && Boolean(input.is_staff) !== (existing?.is_staff ?? false) && !user.can(RIGHTS.staffEdit)) {
      errors.push(fieldError('is_staff', 'not_allowed', 'access:errors.staff_not_allowed'));
    }
    if (errors.length) throw invalid(errors);
  }

  /**
   * The list action: sets the class of the contacts among `ids` that the user may edit (inside the
   * scope, outside the trash, not already in that class), in batches, with history per contact.
   */
  async setMany(user: CurrentUser, ids: number[], classId: number | null): Promise<{ changed: number }> {
    if (!user.can('crm.contacts.edit')) throw forbidden();
    const errors = await this.checkClass(user, classId);
    if (errors.length) throw invalid(errors);
    const unique = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
    let changed = 0;
    for (let i = 0; i < unique.length; i += SET_CLASS_BATCH) {
      const chunk = unique.slice(i, i + SET_CLASS_BATCH);
      changed += await this.db.transaction(async (transaction) => {
        const scope = this.scope.condition(user, 'c');
        const edit = user.isAdmin ? null : editCondition(user, 'c');
        const [rows] = await this.db.query(
          `SELECT c.id, c.class_id FROM crm_contacts c WHERE c.id IN (${chunk.map(() => '?').join(', ')}) AND c.deleted_at IS NULL
           AND ${classId === null ? 'c.class_id IS NOT NULL' : '(c.class_id IS NULL OR c.class_id <> ?)'} AND ${scope.sql}${edit ? ` AND ${edit.sql}` : ''}`,
          { replacements: [...chunk, ...(classId === null ? [] : [classId]), ...scope.params, ...(edit?.params ?? [])], transaction },
        );
        const found = rows as Array<{ id: number; class_id: number | null }>;
        if (!found.length) return 0;
        await this.db.query(`UPDATE crm_contacts SET class_id = ?, version = version + 1, updated_at = ? WHERE id IN (${found.map(() => '?').join(', ')})`, {
          replacements: [classId, new Date(), ...found.map((r) => Number(r.id))],
          transaction,
        });
        await this.history.record(
          found.map((r) => ({ contactId: Number(r.id), action: 'update', field: 'class_id', oldValue: r.class_id === null ? null : Number(r.class_id), newValue: classId })),
          user.id,
          transaction,
        );
        return found.length;
      });
    }
    return { changed };
  }
}

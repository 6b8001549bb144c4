/**
 * Per-card grants ("who can see this client"): named users or groups who may see, or edit, one
 * contact whatever its class. Anyone who sees the contact reads them; whoever may edit it adds
 * and removes them. Every change is a history entry ('access.grant' / 'access.revoke') written
 * in the same transaction.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { TOKENS, inject, injectable, type CurrentUser, type GroupsService, type UsersService } from '../../../host/api.js';
import { CrmTokens, type ContactScope, type ContactsService, type HistoryWriter } from '../../crm/api.js';
import type { AccessLevel, ContactGrant, GrantInput, GrantsService } from '../api.js';
import { fieldError, forbidden, invalid, notFound } from './errors.js';

interface GrantRow {
  id: number;
  contact_id: number;
  user_id: number | null;
  user_name: string | null;
  group_id: number | null;
  group_name: string | null;
  level: AccessLevel;
  created_at: string | Date;
}

const toGrant = (r: GrantRow): ContactGrant => ({
  id: Number(r.id),
  contact_id: Number(r.contact_id),
  user_id: r.user_id === null ? null : Number(r.user_id),
  user_name: r.user_name ?? null,
  group_id: r.group_id === null ? null : Number(r.group_id),
  group_name: r.group_name ?? null,
  level: r.level,
  created_at: new Date(r.created_at).toISOString(),
});

/** What history keeps of a grant: who and at which level, with the name as it was then. */
const historyValue = (g: ContactGrant) =>
  g.user_id !== null ? { user_id: g.user_id, name: g.user_name, level: g.level } : { group_id: g.group_id, name: g.group_name, level: g.level };

const SELECT = `SELECT g.id, g.contact_id, g.user_id, u.name AS user_name, g.group_id, gr.name AS group_name, g.level, g.created_at
  FROM access_contact_grants g LEFT JOIN host_users u ON u.id = g.user_id LEFT JOIN host_groups gr ON gr.id = g.group_id`;

@injectable()
export class GrantsServiceImpl implements GrantsService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Users) private readonly users: UsersService,
    @inject(TOKENS.Groups) private readonly groups: GroupsService,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
    @inject(CrmTokens.Contacts) private readonly contacts: ContactsService,
    @inject(CrmTokens.History) private readonly history: HistoryWriter,
  ) {}

  async list(user: CurrentUser, contactId: number): Promise<ContactGrant[]> {
    await this.scope.assertVisible(user, contactId);
    return this.rows(contactId);
  }

  private async rows(contactId: number, grantId?: number): Promise<ContactGrant[]> {
    const [rows] = await this.db.query(`${SELECT} WHERE g.contact_id = ?${grantId ? ' AND g.id = ?' : ''} ORDER BY g.id`, {
      replacements: grantId ? [contactId, grantId] : [contactId],
    });
    return (rows as GrantRow[]).map(toGrant);
  }

  /** 404 unless the contact is visible and outside the trash; 403 unless the user may edit it. */
  private async assertEditable(user: CurrentUser, contactId: number): Promise<void> {
    await this.contacts.get(user, contactId);
    if (!(await this.scope.canEdit(user, contactId))) throw forbidden();
  }

  async add(user: CurrentUser, contactId: number, input: GrantInput): Promise<{ grant: ContactGrant; created: boolean }> {
    await this.assertEditable(user, contactId);
    const hasUser = input.user_id !== undefined && input.user_id !== null;
    const hasGroup = input.group_id !== undefined && input.group_id !== null;
    if (hasUser === hasGroup) throw invalid([fieldError(hasUser ? 'group_id' : 'user_id', 'one_of', 'access:errors.user_or_group')]);
    if (hasUser) {
      const target = await this.users.get(input.user_id!);
      if (!target || !target.isActive) throw invalid([fieldError('user_id', 'unknown', 'access:errors.unknown_user')]);
    } else if (!(await this.groups.get(input.group_id!))) {
      throw invalid([fieldError('group_id', 'unknown', 'access:errors.unknown_group')]);
    }
    const column = hasUser ? 'user_id' : 'group_id';
    const principal = hasUser ? input.user_id! : input.group_id!;
    return this.db.transaction(async (transaction) => {
      const [existing] = await this.db.query(`SELECT id, level FROM access_contact_grants WHERE contact_id = ? AND ${column} = ?`, { replacements: [contactId, principal], transaction });
      const found = (existing as Array<{ id: number; level: AccessLevel }>)[0];
      if (found) {
        const before = (await this.rows(contactId, Number(found.id)))[0]!;
        if (found.level === input.level) return { grant: before, created: false };
        await this.db.query('UPDATE access_contact_grants SET level = ? WHERE id = ?', { replacements: [input.level, found.id], transaction });
        const after = { ...before, level: input.level };
        await this.history.record([{ contactId, action: 'access.grant', oldValue: historyValue(before), newValue: historyValue(after) }], user.id, transaction);
        return { grant: after, created: false };
      }
      await this.db.query(`INSERT INTO access_contact_grants (contact_id, ${column}, level, created_by, created_at) VALUES (?, ?, ?, ?, ?)`, {
        replacements: [contactId, principal, input.level, user.id, new Date()],
        transaction,
      });
      const [rows] = await this.db.query(`${SELECT} WHERE g.contact_id = ? AND g.${column} = ?`, { replacements: [contactId, principal], transaction });
      const grant = toGrant((rows as GrantRow[])[0]!);
      await this.history.record([{ contactId, action: 'access.grant', newValue: historyValue(grant) }], user.id, transaction);
      return { grant, created: true };
    });
  }

  async remove(user: CurrentUser, contactId: number, grantId: number): Promise<void> {
    await this.assertEditable(user, contactId);
    const grant = (await this.rows(contactId, grantId))[0];
    if (!grant) throw notFound();
    await this.db.transaction(async (transaction) => {
      await this.db.query('DELETE FROM access_contact_grants WHERE id = ?', { replacements: [grantId], transaction });
      await this.history.record([{ contactId, action: 'access.revoke', oldValue: historyValue(grant) }], user.id, transaction);
    });
  }

  /** A merged contact's grants follow it to the surviving contact (without duplicating a principal). */
  async repoint(fromId: number, intoId: number, transaction: Transaction): Promise<void> {
    const [rows] = await this.db.query('SELECT id, contact_id, user_id, group_id FROM access_contact_grants WHERE contact_id IN (?, ?)', { replacements: [fromId, intoId], transaction });
    const list = rows as Array<{ id: number; contact_id: number; user_id: number | null; group_id: number | null }>;
    const key = (r: (typeof list)[number]) => (r.user_id !== null ? `u${r.user_id}` : `g${r.group_id}`);
    const kept = new Set(list.filter((r) => Number(r.contact_id) === intoId).map(key));
    const duplicates = list.filter((r) => Number(r.contact_id) === fromId && kept.has(key(r))).map((r) => Number(r.id));
    if (duplicates.length) await this.db.query(`DELETE FROM access_contact_grants WHERE id IN (${duplicates.map(() => '?').join(', ')})`, { replacements: duplicates, transaction });
    await this.db.query('UPDATE access_contact_grants SET contact_id = ? WHERE contact_id = ?', { replacements: [intoId, fromId], transaction });
  }

  async removeForContact(contactId: number): Promise<void> {
    await this.db.query('DELETE FROM access_contact_grants WHERE contact_id = ?', { replacements: [contactId] });
  }

  /** How many grants a contact has (the card badge), without a visibility check: the caller already has the contact. */
  async count(contactId: number): Promise<number> {
    const [rows] = await this.db.query('SELECT COUNT(*) AS n FROM access_contact_grants WHERE contact_id = ?', { replacements: [contactId] });
    return Number((rows as Array<{ n: number }>)[0]!.n);
  }
}

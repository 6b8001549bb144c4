/**
 * Managers and their client counts: one grouped query over the contacts inside the caller's
 * access scope, joined in memory with the host's users. "Managers" are the CRM's users (active,
 * holding crm.access) plus anyone who still has clients, such as a colleague who left.
 */
import type { Sequelize } from 'sequelize';
import { TOKENS, inject, injectable, type CurrentUser, type GroupsService, type UsersService } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../../crm/api.js';
import type { ManagerCount, ManagersService, ResponsibleOverview } from '../api.js';

@injectable()
export class ManagersServiceImpl implements ManagersService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Users) private readonly users: UsersService,
    @inject(TOKENS.Groups) private readonly groups: GroupsService,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
  ) {}

  /** Ids of groups whose members may use the CRM. */
  private async crmGroups(): Promise<Set<number>> {
    return new Set((await this.groups.list()).filter((g) => g.isAdmin || g.rights.includes('crm.access')).map((g) => g.id));
  }

  async candidates(): Promise<Array<{ id: number; name: string; email: string }>> {
    const [users, crm] = await Promise.all([this.users.list(), this.crmGroups()]);
    return users
      .filter((u) => u.isActive && u.groupIds.some((g) => crm.has(g)))
      .map((u) => ({ id: u.id, name: u.name, email: u.email }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async overview(user: CurrentUser): Promise<ResponsibleOverview> {
    const scope = this.scope.condition(user, 'c');
    const [rows] = await this.db.query(
      `SELECT c.responsible_id AS responsible_id, COUNT(*) AS n FROM crm_contacts c WHERE c.deleted_at IS NULL AND ${scope.sql} GROUP BY c.responsible_id`,
      { replacements: scope.params },
    );
    const counts = new Map<number | null, number>();
    for (const r of rows as Array<{ responsible_id: number | string | null; n: number | string }>) {
      counts.set(r.responsible_id === null ? null : Number(r.responsible_id), Number(r.n));
    }
    const [users, crm] = await Promise.all([this.users.list(), this.crmGroups()]);
    const managers: ManagerCount[] = users
      .filter((u) => counts.has(u.id) || (u.isActive && u.groupIds.some((g) => crm.has(g))))
      .map((u) => ({ user_id: u.id, name: u.name, email: u.email, active: u.isActive, count: counts.get(u.id) ?? 0 }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.user_id - b.user_id);
    let total = 0;
    for (const n of counts.values()) total += n;
    return { managers, unassigned: counts.get(null) ?? 0, total };
  }
}

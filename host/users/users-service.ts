/** Accounts: create, update, authenticate, and load the signed-in user with their rights. */
import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import {
  HttpError,
  LANGUAGES,
  TOKENS,
  inject,
  injectable,
  type CurrentUser,
  type Language,
  type NewUser,
  type UserRecord,
  type UsersService,
} from '../api.js';
import { hostModels, type HostModels, type UserRow } from './host-models.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';

function asLanguage(v: string | null): Language | null {
  return v && (LANGUAGES as readonly string[]).includes(v) ? (v as Language) : null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

@injectable()
export class UsersServiceImpl implements UsersService {
  private readonly m: HostModels;

  constructor(@inject(TOKENS.Database) private readonly db: Sequelize) {
    this.m = hostModels(db);
  }

  private async groupIdsOf(userIds: number[]): Promise<Map<number, number[]>> {
    const rows = userIds.length ? await this.m.UserGroup.findAll({ where: { user_id: { [Op.in]: userIds } } }) : [];
    const map = new Map<number, number[]>(userIds.map((id) => [id, []]));
    for (const r of rows) map.get(r.user_id)?.push(r.group_id);
    return map;
  }

  private record(row: UserRow, groupIds: number[]): UserRecord {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      locale: asLanguage(row.locale),
      isActive: Boolean(row.is_active),
      groupIds: groupIds.sort((a, b) => a - b),
      createdAt: row.created_at,
    };
  }

  async list(): Promise<UserRecord[]> {
    const rows = await this.m.User.findAll({ order: [['name', 'ASC']] });
    const groups = await this.groupIdsOf(rows.map((r) => r.id));
    return rows.map((r) => this.record(r, groups.get(r.id) ?? []));
  }

  async get(id: number): Promise<UserRecord | null> {
    const row = await this.m.User.findByPk(id);
    return row ? this.record(row, (await this.groupIdsOf([id])).get(id) ?? []) : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const row = await this.m.User.findOne({ where: { email: normalizeEmail(email) } });
    return row ? this.record(row, (await this.groupIdsOf([row.id])).get(row.id) ?? []) : null;
  }

  async create(input: NewUser): Promise<UserRecord> {
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [
        { field: 'password', code: 'minLength', message: 'host:users.password_too_short', params: { limit: MIN_PASSWORD_LENGTH } },
      ]);
    }
    const password_hash = await hashPassword(input.password);
    try {
      const id = await this.db.transaction(async (transaction) => {
        const row = await this.m.User.create(
          { email: normalizeEmail(input.email), name: input.name.trim(), password_hash, locale: input.locale ?? null, is_active: true },
          { transaction },
        );
        await this.setGroups(row.id, input.groups ?? [], transaction);
        return row.id;
      });
      return (await this.get(id))!;
    } catch (e) {
      if (e instanceof UniqueConstraintError) {
        throw new HttpError(409, 'conflict', 'host:users.email_taken', [{ field: 'email', code: 'unique', message: 'host:users.email_taken' }]);
      }
      throw e;
    }
  }

  private async setGroups(userId: number, groups: number[], transaction: Transaction): Promise<void> {
    await this.m.UserGroup.destroy({ where: { user_id: userId }, transaction });
    const unique = [...new Set(groups)];
    if (unique.length) {
      const existing = await this.m.Group.count({ where: { id: { [Op.in]: unique } }, transaction });
      if (existing !== unique.length) {
        throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'groups', code: 'unknown', message: 'host:users.unknown_group' }]);
      }
      await this.m.UserGroup.bulkCreate(unique.map((group_id) => ({ user_id: userId, group_id })), { transaction });
    }
  }

  async update(id: number, input: Partial<Omit<NewUser, 'password'>> & { isActive?: boolean }): Promise<UserRecord> {
    await this.db.transaction(async (transaction) => {
      const row = await this.m.User.findByPk(id, { transaction });
      if (!row) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      if (input.email !== undefined) row.email = normalizeEmail(input.email);
      if (input.name !== undefined) row.name = input.name.trim();
      if (input.locale !== undefined) row.locale = input.locale;
      if (input.isActive !== undefined) row.is_active = input.isActive;
      try {
        await row.save({ transaction });
      } catch (e) {
        if (e instanceof UniqueConstraintError) {
          throw new HttpError(409, 'conflict', 'host:users.email_taken', [{ field: 'email', code: 'unique', message: 'host:users.email_taken' }]);
        }
        throw e;
      }
      if (input.groups) await this.setGroups(id, input.groups, transaction);
    });
    return (await this.get(id))!;
  }

  async setPassword(id: number, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [
        { field: 'password', code: 'minLength', message: 'host:users.password_too_short', params: { limit: MIN_PASSWORD_LENGTH } },
      ]);
    }
    await this.m.User.update({ password_hash: await hashPassword(password) }, { where: { id } });
  }

  async authenticate(email: string, password: string): Promise<UserRecord | null> {
    const row = await this.m.User.findOne({ where: { email: normalizeEmail(email) } });
    if (!row || !row.is_active) {
      await hashPassword(password); // same work either way, so timing does not reveal accounts
      return null;
    }
    if (!(await verifyPassword(row.password_hash, password))) return null;
    await row.update({ last_login_at: new Date() });
    return this.record(row, (await this.groupIdsOf([row.id])).get(row.id) ?? []);
  }

  async currentUser(id: number): Promise<CurrentUser | null> {
    const row = await this.m.User.findByPk(id);
    if (!row || !row.is_active) return null;
    const groupIds = (await this.groupIdsOf([id])).get(id) ?? [];
    const groups = groupIds.length ? await this.m.Group.findAll({ where: { id: { [Op.in]: groupIds } } }) : [];
    const isAdmin = groups.some((g) => Boolean(g.is_admin));
    const rights = new Set(
      groupIds.length ? (await this.m.GroupRight.findAll({ where: { group_id: { [Op.in]: groupIds } } })).map((r) => r.right_id) : [],
    );
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      locale: asLanguage(row.locale),
      isAdmin,
      groupIds,
      rights,
      can: (right: string) => isAdmin || rights.has(right),
    };
  }
}

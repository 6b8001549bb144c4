/** Groups are permission profiles: a set of rights; the administrators group holds every right. */
import { Op, UniqueConstraintError, type Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable, type GroupRecord, type GroupsService, type RightsRegistry } from '../api.js';
import { hostModels, type HostModels } from './host-models.js';

const nameTaken = () =>
  new HttpError(409, 'conflict', 'host:groups.name_taken', [{ field: 'name', code: 'unique', message: 'host:groups.name_taken' }]);

@injectable()
export class GroupsServiceImpl implements GroupsService {
  private readonly m: HostModels;

  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(TOKENS.Rights) private readonly rights: RightsRegistry,
  ) {
    this.m = hostModels(db);
  }

  private checkRights(rights: string[]): void {
    const unknown = rights.filter((r) => !this.rights.has(r));
    if (unknown.length) {
      throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [
        { field: 'rights', code: 'unknown', message: 'host:groups.unknown_right', params: { rights: unknown.join(', ') } },
      ]);
    }
  }

  async list(): Promise<GroupRecord[]> {
    const groups = await this.m.Group.findAll({ order: [['is_admin', 'DESC'], ['name', 'ASC']] });
    const ids = groups.map((g) => g.id);
    const rights = ids.length ? await this.m.GroupRight.findAll({ where: { group_id: { [Op.in]: ids } } }) : [];
    const members = ids.length ? await this.m.UserGroup.findAll({ where: { group_id: { [Op.in]: ids } } }) : [];
    return groups.map((g) => ({
      id: g.id,
      name: g.name,
      isAdmin: Boolean(g.is_admin),
      rights: rights.filter((r) => r.group_id === g.id).map((r) => r.right_id).sort(),
      memberCount: members.filter((m) => m.group_id === g.id).length,
    }));
  }

  async get(id: number): Promise<GroupRecord | null> {
    return (await this.list()).find((g) => g.id === id) ?? null;
  }

  async findByName(name: string): Promise<GroupRecord | null> {
    return (await this.list()).find((g) => g.name === name) ?? null;
  }

  async create(input: { name: string; rights?: string[]; isAdmin?: boolean }): Promise<GroupRecord> {
    const rights = [...new Set(input.rights ?? [])];
    this.checkRights(rights);
    try {
      const id = await this.db.transaction(async (transaction) => {
        const g = await this.m.Group.create({ name: input.name.trim(), is_admin: input.isAdmin ?? false }, { transaction });
        if (rights.length) await this.m.GroupRight.bulkCreate(rights.map((right_id) => ({ group_id: g.id, right_id })), { transaction });
        return g.id;
      });
      return (await this.get(id))!;
    } catch (e) {
      if (e instanceof UniqueConstraintError) throw nameTaken();
      throw e;
    }
  }

  async update(id: number, input: { name?: string; rights?: string[] }): Promise<GroupRecord> {
    if (input.rights) this.checkRights(input.rights);
    try {
      await this.db.transaction(async (transaction) => {
        const g = await this.m.Group.findByPk(id, { transaction });
        if (!g) throw new HttpError(404, 'not_found', 'host:errors.not_found');
        if (input.name !== undefined) await g.update({ name: input.name.trim() }, { transaction });
        if (input.rights) {
          await this.m.GroupRight.destroy({ where: { group_id: id }, transaction });
          const rights = [...new Set(input.rights)];
          if (rights.length) await this.m.GroupRight.bulkCreate(rights.map((right_id) => ({ group_id: id, right_id })), { transaction });
        }
      });
    } catch (e) {
      if (e instanceof UniqueConstraintError) throw nameTaken();
      throw e;
    }
    return (await this.get(id))!;
  }

  async remove(id: number): Promise<void> {
    const g = await this.m.Group.findByPk(id);
    if (!g) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    if (g.is_admin) {
      const admins = await this.m.Group.count({ where: { is_admin: true } });
      if (admins <= 1) throw new HttpError(409, 'conflict', 'host:groups.last_admin_group');
    }
    await this.db.transaction(async (transaction) => {
      await this.m.GroupRight.destroy({ where: { group_id: id }, transaction });
      await this.m.UserGroup.destroy({ where: { group_id: id }, transaction });
      await g.destroy({ transaction });
    });
  }
}

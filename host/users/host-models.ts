/**
 * Sequelize models of the host's tables (created by migrations/, never by sync()). Models are
 * defined per Sequelize instance, so several hosts can live in one process (tests do this).
 */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface UserRow extends Model {
  id: number;
  email: string;
  name: string;
  password_hash: string;
  locale: string | null;
  is_active: boolean;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface GroupRow extends Model {
  id: number;
  name: string;
  is_admin: boolean;
}

export interface GroupRightRow extends Model {
  group_id: number;
  right_id: string;
}

export interface UserGroupRow extends Model {
  user_id: number;
  group_id: number;
}

export interface ApiTokenRow extends Model {
  id: number;
  user_id: number;
  token_hash: string;
  last_used_at: Date | null;
  expires_at: Date | null;
  created_at: Date;
}

export interface HostModels {
  User: ModelStatic<UserRow>;
  Group: ModelStatic<GroupRow>;
  GroupRight: ModelStatic<GroupRightRow>;
  UserGroup: ModelStatic<UserGroupRow>;
  ApiToken: ModelStatic<ApiTokenRow>;
}

export function hostModels(db: Sequelize): HostModels {
  if (db.models.HostUser) {
    const m = db.models;
    return { User: m.HostUser, Group: m.HostGroup, GroupRight: m.HostGroupRight, UserGroup: m.HostUserGroup, ApiToken: m.HostApiToken } as unknown as HostModels;
  }
  const stamped = { timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' } as const;
  const User = db.define<UserRow>(
    'HostUser',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      email: DataTypes.STRING(190),
      name: DataTypes.STRING(190),
      password_hash: DataTypes.STRING(255),
      locale: DataTypes.STRING(5),
      is_active: DataTypes.BOOLEAN,
      last_login_at: DataTypes.DATE,
    },
    { ...stamped, tableName: 'host_users' },
  );
  const Group = db.define<GroupRow>(
    'HostGroup',
    { id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true }, name: DataTypes.STRING(190), is_admin: DataTypes.BOOLEAN },
    { ...stamped, tableName: 'host_groups' },
  );
  const GroupRight = db.define<GroupRightRow>(
    'HostGroupRight',
    { group_id: { type: DataTypes.INTEGER, primaryKey: true }, right_id: { type: DataTypes.STRING(190), primaryKey: true } },
    { tableName: 'host_group_rights', timestamps: false },
  );
  const UserGroup = db.define<UserGroupRow>(
    'HostUserGroup',
    { user_id: { type: DataTypes.INTEGER, primaryKey: true }, group_id: { type: DataTypes.INTEGER, primaryKey: true } },
    { tableName: 'host_user_groups', timestamps: false },
  );
  const ApiToken = db.define<ApiTokenRow>(
    'HostApiToken',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      user_id: DataTypes.INTEGER,
      token_hash: DataTypes.STRING(64),
      last_used_at: DataTypes.DATE,
      expires_at: DataTypes.DATE,
    },
    { timestamps: true, createdAt: 'created_at', updatedAt: false, tableName: 'host_api_tokens' },
  );
  return { User, Group, GroupRight, UserGroup, ApiToken };
}

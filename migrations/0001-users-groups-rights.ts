import type { MigrationFn } from '../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  const timestamps = {
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  };
  await qi.createTable('host_users', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    email: { type: DataTypes.STRING(190), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(190), allowNull: false },
    password_hash: { type: DataTypes.STRING(255), allowNull: false },
    locale: { type: DataTypes.STRING(5), allowNull: true },
    is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    last_login_at: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.createTable('host_groups', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(190), allowNull: false, unique: true },
    is_admin: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    ...timestamps,
  });
  await qi.createTable('host_group_rights', {
    group_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'host_groups', key: 'id' }, onDelete: 'CASCADE' },
    right_id: { type: DataTypes.STRING(190), allowNull: false, primaryKey: true },
  });
  await qi.createTable('host_user_groups', {
    user_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'host_users', key: 'id' }, onDelete: 'CASCADE' },
    group_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'host_groups', key: 'id' }, onDelete: 'CASCADE' },
  });
  await qi.addIndex('host_user_groups', ['group_id']);
  await qi.createTable('host_api_tokens', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'host_users', key: 'id' }, onDelete: 'CASCADE' },
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    last_used_at: { type: DataTypes.DATE, allowNull: true },
    expires_at: { type: DataTypes.DATE, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('host_api_tokens', ['user_id']);
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('host_api_tokens');
  await qi.dropTable('host_user_groups');
  await qi.dropTable('host_group_rights');
  await qi.dropTable('host_groups');
  await qi.dropTable('host_users');
};

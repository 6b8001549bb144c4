import type { MigrationFn } from '../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes, dialect } }) => {
  // MySQL's TEXT stops at 64 KB; SQLite has one TEXT type and warns about sizes.
  const mediumText = dialect === 'mysql' ? DataTypes.TEXT('medium') : DataTypes.TEXT;
  const longText = dialect === 'mysql' ? DataTypes.TEXT('long') : DataTypes.TEXT;
  await qi.createTable('host_plugins', {
    id: { type: DataTypes.STRING(100), primaryKey: true },
    state: { type: DataTypes.STRING(20), allowNull: false },
    version: { type: DataTypes.STRING(50), allowNull: true },
    error: { type: DataTypes.TEXT, allowNull: true },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('host_settings', {
    scope: { type: DataTypes.STRING(190), allowNull: false, primaryKey: true },
    key: { type: DataTypes.STRING(190), allowNull: false, primaryKey: true },
    value: { type: DataTypes.TEXT, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  // The table connect-session-sequelize expects (model "Session").
  await qi.createTable('host_sessions', {
    sid: { type: DataTypes.STRING(190), primaryKey: true },
    expires: { type: DataTypes.DATE, allowNull: true },
    data: { type: mediumText, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('host_sessions', ['expires']);
  await qi.createTable('host_jobs', {
    id: { type: DataTypes.STRING(36), primaryKey: true },
    type: { type: DataTypes.STRING(190), allowNull: false },
    state: { type: DataTypes.STRING(20), allowNull: false },
    payload: { type: longText, allowNull: true },
    checkpoint: { type: longText, allowNull: true },
    result: { type: longText, allowNull: true },
    error: { type: DataTypes.TEXT, allowNull: true },
    processed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    total: { type: DataTypes.INTEGER, allowNull: true },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    cancel_requested: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    locked_by: { type: DataTypes.STRING(100), allowNull: true },
    locked_until: { type: DataTypes.DATE, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    started_at: { type: DataTypes.DATE, allowNull: true },
    finished_at: { type: DataTypes.DATE, allowNull: true },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('host_jobs', ['state', 'created_at']);
  await qi.addIndex('host_jobs', ['user_id']);
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('host_jobs');
  await qi.dropTable('host_sessions');
  await qi.dropTable('host_settings');
  await qi.dropTable('host_plugins');
};

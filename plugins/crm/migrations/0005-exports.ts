import type { MigrationFn } from '../../../host/api.js';

/**
 * The export log: who exported what, when, in which format and how many contacts; and, for an
 * export that ran as a job, the file waiting for its owner in the data folder until it expires.
 * The user's id is kept without a foreign key so the log outlives a deleted account.
 */
export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('crm_exports', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    format: { type: DataTypes.STRING(8), allowNull: false },
    /** running, done, failed, cancelled */
    state: { type: DataTypes.STRING(16), allowNull: false },
    rows: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    /** The column ids, as JSON. */
    columns: { type: DataTypes.TEXT, allowNull: false },
    /** The list filter as a query string (`status_id=3&tag=vip`), empty for every contact. */
    filter: { type: DataTypes.TEXT, allowNull: false },
    /** How it was delivered: `download` (streamed in the response) or `file` (a job wrote it). */
    delivery: { type: DataTypes.STRING(16), allowNull: false },
    file_name: { type: DataTypes.STRING(190), allowNull: true },
    job_id: { type: DataTypes.STRING(64), allowNull: true },
    error: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    finished_at: { type: DataTypes.DATE, allowNull: true },
    expires_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('crm_exports', ['user_id', 'id'], { name: 'crm_exports_user' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('crm_exports');
};

import type { MigrationFn } from '../../../host/api.js';

/**
 * The duplicate finder's results. A run belongs to the user who started it (its groups are
 * what that user may see); the page lists the groups of the user's latest finished run, so a
 * run on a big base done by a job is there after the job. A group's signature (a hash of its
 * sorted member ids) keeps "not duplicates" answers across runs.
 */
export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('crm_duplicate_runs', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    job_id: { type: DataTypes.STRING(64), allowNull: true },
    state: { type: DataTypes.STRING(20), allowNull: false },
    group_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: DataTypes.DATE, allowNull: false },
    finished_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('crm_duplicate_runs', ['user_id', 'id'], { name: 'crm_duplicate_runs_user' });

  await qi.createTable('crm_duplicate_groups', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    run_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'crm_duplicate_runs', key: 'id' }, onDelete: 'CASCADE' },
    signature: { type: DataTypes.STRING(64), allowNull: false },
    reasons: { type: DataTypes.TEXT, allowNull: false },
    member_ids: { type: DataTypes.TEXT, allowNull: false },
    size: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.addIndex('crm_duplicate_groups', ['run_id', 'id'], { name: 'crm_duplicate_groups_run' });

  await qi.createTable('crm_duplicate_dismissals', {
    signature: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('crm_duplicate_dismissals');
  await qi.dropTable('crm_duplicate_groups');
  await qi.dropTable('crm_duplicate_runs');
};

import type { MigrationFn } from '../../../host/api.js';

/**
 * Imports: one record per import (its file, mapping, options, counters and the line committed
 * last, so a restarted job resumes exactly after it), one outcome per row (what undo deletes or
 * restores, and the failed rows with their reasons), the mappings remembered per header list,
 * and contacts' ids in other programs (`external_id`), which imports match duplicates and
 * companies by.
 */
export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.addColumn('crm_contacts', 'external_id', { type: DataTypes.STRING(190), allowNull: true });
  await qi.addIndex('crm_contacts', ['external_id'], { name: 'crm_contacts_external' });

  await qi.createTable('crm_imports', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    state: { type: DataTypes.STRING(20), allowNull: false },
    file_name: { type: DataTypes.STRING(190), allowNull: false },
    /** The staged upload (a file in the data folder) the job reads. */
    upload_id: { type: DataTypes.STRING(64), allowNull: false },
    format: { type: DataTypes.STRING(10), allowNull: false },
    headers: { type: DataTypes.TEXT, allowNull: false },
    mapping: { type: DataTypes.TEXT, allowNull: false },
    options: { type: DataTypes.TEXT, allowNull: false },
    dry_run: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    total: { type: DataTypes.INTEGER, allowNull: true },
    processed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    updated: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    skipped: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    failed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    /** The last file line whose outcome is committed: a resumed job starts after it. */
    line: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    job_id: { type: DataTypes.STRING(64), allowNull: true },
    undo_job_id: { type: DataTypes.STRING(64), allowNull: true },
    /** What undo did: {trashed, restored, kept}. */
    undo_result: { type: DataTypes.TEXT, allowNull: true },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    /** i18n key and parameters (JSON) of the reason the whole import failed. */
    error: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    finished_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('crm_imports', ['user_id', 'id'], { name: 'crm_imports_user' });

  await qi.createTable('crm_import_rows', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    import_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'crm_imports', key: 'id' }, onDelete: 'CASCADE' },
    line: { type: DataTypes.INTEGER, allowNull: false },
    outcome: { type: DataTypes.STRING(10), allowNull: false },
    contact_id: { type: DataTypes.INTEGER, allowNull: true },
    /** Failed and skipped rows: the reason as {key, params} JSON. */
    reason: { type: DataTypes.TEXT, allowNull: true },
    /** Failed rows: the row's cells (JSON), for the file of failed rows. */
    cells: { type: DataTypes.TEXT, allowNull: true },
    /** Updated contacts: {version, old: {field: value}} to put back on undo. */
    undo_values: { type: DataTypes.TEXT, allowNull: true },
  });
  await qi.addIndex('crm_import_rows', ['import_id', 'outcome', 'line'], { name: 'crm_import_rows_outcome' });

  await qi.createTable('crm_import_mappings', {
    /** SHA-256 of the normalized header list. */
    header_hash: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    headers: { type: DataTypes.TEXT, allowNull: false },
    mapping: { type: DataTypes.TEXT, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('crm_import_mappings');
  await qi.dropTable('crm_import_rows');
  await qi.dropTable('crm_imports');
  await qi.removeIndex('crm_contacts', 'crm_contacts_external');
  await qi.removeColumn('crm_contacts', 'external_id');
};

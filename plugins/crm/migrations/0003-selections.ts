import type { MigrationFn } from '../../../host/api.js';

/**
 * Each user's selected contacts, kept across pages and visits. The key (user_id, contact_id)
 * serves "my selection" and "is this row selected"; a purged contact leaves every selection.
 */
export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('crm_selections', {
    user_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    contact_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'crm_contacts', key: 'id' }, onDelete: 'CASCADE' },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('crm_selections', ['contact_id'], { name: 'crm_selections_contact' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('crm_selections');
};

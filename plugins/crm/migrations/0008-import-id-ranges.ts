import type { MigrationFn } from '../../../host/api.js';

/**
 * The contacts an import creates are recorded as id ranges (one outcome row per multi-row INSERT,
 * ids `contact_id`..`last_contact_id`) instead of one outcome row each; rows written before this
 * migration keep `last_contact_id` empty and stand for their one contact.
 */
export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.addColumn('crm_import_rows', 'last_contact_id', { type: DataTypes.INTEGER, allowNull: true });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.removeColumn('crm_import_rows', 'last_contact_id');
};

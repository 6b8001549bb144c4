import type { MigrationFn } from '../../../host/api.js';

/**
 * Each search term carries its contact's sort key (`crm_contacts.name_key`). A name search of a
 * user who sees every live contact is then answered from the terms' own index: the matches in
 * name order and their count, without reading each matching contact (a common surname prefix
 * matches tens of thousands in a million). The key is written with the terms, which are rewritten
 * whenever the name changes (the contacts service, the bulk writer), so the two never differ.
 */
export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.addColumn('crm_search_terms', 'name_key', { type: DataTypes.STRING(190), allowNull: false, defaultValue: '' });
  const db = qi.sequelize;
  if (db.getDialect() === 'sqlite') {
    await db.query('UPDATE crm_search_terms SET name_key = (SELECT c.name_key FROM crm_contacts c WHERE c.id = crm_search_terms.contact_id)');
  } else {
    await db.query('UPDATE crm_search_terms t JOIN crm_contacts c ON c.id = t.contact_id SET t.name_key = c.name_key');
  }
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.removeColumn('crm_search_terms', 'name_key');
};

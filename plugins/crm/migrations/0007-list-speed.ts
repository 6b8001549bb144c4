import type { MigrationFn } from '../../../host/api.js';

/**
 * Indexes the list's plans need at a million contacts (see services/contact-query.ts):
 * - The sort walks: every list query has `deleted_at IS NULL AND merged_into_id IS NULL`, so both
 *   lead the index and the sort key follows in order (name, created, updated; then id for ties).
 *   The scope's columns (class, responsible, staff) ride along, so the rows a limited user may not
 *   see are skipped inside the index instead of being read from the table one by one.
 * - The access rule's branches, "class in (...)" and "responsible = me and class in (...)", are
 *   ranges of one index; with the live flags in it a limited user's count reads that index only.
 * - A narrow copy of what the scope and the name sort read, by id: a search or a custom-field
 *   filter gives a list of ids, and checking, sorting and counting them reads this index (a
 *   tenth of the table's pages) instead of each whole row.
 * - Custom values by contact with the numeric and date values in the index: a sort by such a
 *   field, and a count of contacts filtered on it, read the value without fetching the row. It
 *   replaces the (contact_id, field_id) index, which is its prefix.
 * - The status filter, the list's most common one, with the live flags, the channel flags and the
 *   scope's columns: its count ("exact up to 10,000") reads that index only.
 */
const WALKS: Array<[string, string, string]> = [
  ['crm_contacts_live_name', 'crm_contacts_list_name', 'name_key'],
  ['crm_contacts_live_created', 'crm_contacts_list_created', 'created_at'],
  ['crm_contacts_live_updated', 'crm_contacts_list_updated', 'updated_at'],
];
const PAYLOAD = ['class_id', 'responsible_id', 'is_staff'];

export const up: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  for (const [old, name, column] of WALKS) {
    await qi.addIndex('crm_contacts', ['deleted_at', 'merged_into_id', column, 'id', ...PAYLOAD], { name });
    await qi.removeIndex('crm_contacts', old);
  }
  await qi.addIndex('crm_contacts', ['class_id', 'responsible_id', 'deleted_at', 'merged_into_id', 'is_staff'], { name: 'crm_contacts_access' });
  await qi.addIndex('crm_contacts', ['id', 'deleted_at', 'merged_into_id', 'class_id', 'responsible_id', 'is_staff', 'name_key'], { name: 'crm_contacts_live_id' });
  await qi.addIndex('crm_field_values', ['contact_id', 'field_id', 'value_number', 'value_date'], { name: 'crm_field_values_by_contact' });
  await qi.removeIndex('crm_field_values', 'crm_field_values_contact');
  await qi.addIndex('crm_contacts', ['status_id', 'deleted_at', 'merged_into_id', 'has_email', 'has_phone', ...PAYLOAD], { name: 'crm_contacts_status_live' });
  await qi.removeIndex('crm_contacts', 'crm_contacts_status');
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.addIndex('crm_contacts', ['status_id', 'deleted_at'], { name: 'crm_contacts_status' });
  await qi.removeIndex('crm_contacts', 'crm_contacts_status_live');
  await qi.addIndex('crm_field_values', ['contact_id', 'field_id'], { name: 'crm_field_values_contact' });
  await qi.removeIndex('crm_field_values', 'crm_field_values_by_contact');
  await qi.removeIndex('crm_contacts', 'crm_contacts_live_id');
  await qi.removeIndex('crm_contacts', 'crm_contacts_access');
  for (const [old, name, column] of WALKS) {
    await qi.addIndex('crm_contacts', ['deleted_at', column, 'id'], { name: old });
    await qi.removeIndex('crm_contacts', name);
  }
};

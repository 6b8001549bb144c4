import type { MigrationFn } from '../../../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('crm_dictionary_items', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    dictionary: { type: DataTypes.STRING(20), allowNull: false },
    name: { type: DataTypes.STRING(190), allowNull: false },
    labels: { type: DataTypes.TEXT, allowNull: true },
    color: { type: DataTypes.STRING(20), allowNull: true },
    sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
  });
  await qi.addIndex('crm_dictionary_items', ['dictionary', 'sort']);

  await qi.createTable('crm_contacts', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    kind: { type: DataTypes.STRING(10), allowNull: false },
    display_name: { type: DataTypes.STRING(190), allowNull: false, defaultValue: '' },
    /** Folded (lower case, no diacritics) display name: the sort key and prefix-search key. */
    name_key: { type: DataTypes.STRING(190), allowNull: false, defaultValue: '' },
    first_name: { type: DataTypes.STRING(190), allowNull: true },
    middle_name: { type: DataTypes.STRING(190), allowNull: true },
    last_name: { type: DataTypes.STRING(190), allowNull: true },
    company_name: { type: DataTypes.STRING(190), allowNull: true },
    job_title: { type: DataTypes.STRING(190), allowNull: true },
    company_id: { type: DataTypes.INTEGER, allowNull: true },
    buyer_id: { type: DataTypes.INTEGER, allowNull: true },
    status_id: { type: DataTypes.INTEGER, allowNull: true },
    category_id: { type: DataTypes.INTEGER, allowNull: true },
    client_type_id: { type: DataTypes.INTEGER, allowNull: true },
    source_id: { type: DataTypes.INTEGER, allowNull: true },
    class_id: { type: DataTypes.INTEGER, allowNull: true },
    responsible_id: { type: DataTypes.INTEGER, allowNull: true },
    is_staff: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    birthday: { type: DataTypes.DATEONLY, allowNull: true },
    comment: { type: DataTypes.TEXT, allowNull: true },
    photo: { type: DataTypes.STRING(190), allowNull: true },
    has_email: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    has_phone: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    created_by: { type: DataTypes.INTEGER, allowNull: true },
    deleted_at: { type: DataTypes.DATE, allowNull: true },
    merged_into_id: { type: DataTypes.INTEGER, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  // Every list query filters on deleted_at first; these keep the common sorts index-only walks.
  await qi.addIndex('crm_contacts', ['deleted_at', 'name_key', 'id'], { name: 'crm_contacts_live_name' });
  await qi.addIndex('crm_contacts', ['deleted_at', 'created_at', 'id'], { name: 'crm_contacts_live_created' });
  await qi.addIndex('crm_contacts', ['deleted_at', 'updated_at', 'id'], { name: 'crm_contacts_live_updated' });
  await qi.addIndex('crm_contacts', ['status_id', 'deleted_at'], { name: 'crm_contacts_status' });
  await qi.addIndex('crm_contacts', ['responsible_id', 'deleted_at'], { name: 'crm_contacts_responsible' });
  await qi.addIndex('crm_contacts', ['class_id', 'deleted_at'], { name: 'crm_contacts_class' });
  await qi.addIndex('crm_contacts', ['category_id'], { name: 'crm_contacts_category' });
  await qi.addIndex('crm_contacts', ['company_id'], { name: 'crm_contacts_company' });
  await qi.addIndex('crm_contacts', ['buyer_id'], { name: 'crm_contacts_buyer' });
  await qi.addIndex('crm_contacts', ['user_id'], { name: 'crm_contacts_user' });

  // Emails, phones, messengers, websites, domains and tax ids: one row each, with a normalized
  // value (lower-cased email, E.164 phone, bare domain, digits of a tax id) for search and dedupe.
  await qi.createTable('crm_channels', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    contact_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'crm_contacts', key: 'id' }, onDelete: 'CASCADE' },
    type: { type: DataTypes.STRING(20), allowNull: false },
    subtype: { type: DataTypes.STRING(40), allowNull: true },
    value: { type: DataTypes.STRING(190), allowNull: false },
    normalized: { type: DataTypes.STRING(190), allowNull: false },
    is_primary: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    consent: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
  await qi.addIndex('crm_channels', ['type', 'normalized', 'contact_id'], { name: 'crm_channels_lookup' });
  await qi.addIndex('crm_channels', ['contact_id', 'type', 'sort'], { name: 'crm_channels_contact' });

  await qi.createTable('crm_addresses', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    contact_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'crm_contacts', key: 'id' }, onDelete: 'CASCADE' },
    label: { type: DataTypes.STRING(40), allowNull: true },
    country: { type: DataTypes.STRING(100), allowNull: true },
    region: { type: DataTypes.STRING(100), allowNull: true },
    city: { type: DataTypes.STRING(100), allowNull: true },
    zip: { type: DataTypes.STRING(20), allowNull: true },
    street: { type: DataTypes.STRING(190), allowNull: true },
    sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
  await qi.addIndex('crm_addresses', ['contact_id'], { name: 'crm_addresses_contact' });

  // Folded words of names and company names: prefix search by any word, in any script, on both
  // dialects (SQLite's LIKE folds ASCII only).
  await qi.createTable('crm_search_terms', {
    term: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    contact_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'crm_contacts', key: 'id' }, onDelete: 'CASCADE' },
  });
  await qi.addIndex('crm_search_terms', ['contact_id'], { name: 'crm_search_terms_contact' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('crm_search_terms');
  await qi.dropTable('crm_addresses');
  await qi.dropTable('crm_channels');
  await qi.dropTable('crm_contacts');
  await qi.dropTable('crm_dictionary_items');
};

import type { MigrationFn } from '../../../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('crm_fields', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    key: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    type: { type: DataTypes.STRING(20), allowNull: false },
    labels: { type: DataTypes.TEXT, allowNull: false },
    required: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    in_list: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    options: { type: DataTypes.TEXT, allowNull: true },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });

  // Custom values in typed, indexed columns: a filter or a sort on one field is an index range
  // scan on (field_id, value_*, contact_id) however many contacts there are. Multi-select values
  // are one row per chosen option.
  await qi.createTable('crm_field_values', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    contact_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'crm_contacts', key: 'id' }, onDelete: 'CASCADE' },
    field_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'crm_fields', key: 'id' }, onDelete: 'CASCADE' },
    value_text: { type: DataTypes.STRING(190), allowNull: true },
    value_number: { type: DataTypes.DECIMAL(20, 4), allowNull: true },
    value_date: { type: DataTypes.DATEONLY, allowNull: true },
    value_long: { type: DataTypes.TEXT, allowNull: true },
  });
  await qi.addIndex('crm_field_values', ['contact_id', 'field_id'], { name: 'crm_field_values_contact' });
  await qi.addIndex('crm_field_values', ['field_id', 'value_text', 'contact_id'], { name: 'crm_field_values_text' });
  await qi.addIndex('crm_field_values', ['field_id', 'value_number', 'contact_id'], { name: 'crm_field_values_number' });
  await qi.addIndex('crm_field_values', ['field_id', 'value_date', 'contact_id'], { name: 'crm_field_values_date' });

  await qi.createTable('crm_notes', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    contact_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'crm_contacts', key: 'id' }, onDelete: 'CASCADE' },
    author_id: { type: DataTypes.INTEGER, allowNull: true },
    body: { type: DataTypes.TEXT, allowNull: false },
    pinned: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('crm_notes', ['contact_id', 'pinned', 'created_at'], { name: 'crm_notes_contact' });

  await qi.createTable('crm_history', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    contact_id: { type: DataTypes.INTEGER, allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true },
    action: { type: DataTypes.STRING(40), allowNull: false },
    field: { type: DataTypes.STRING(100), allowNull: true },
    old_value: { type: DataTypes.TEXT, allowNull: true },
    new_value: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('crm_history', ['contact_id', 'id'], { name: 'crm_history_contact' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('crm_history');
  await qi.dropTable('crm_notes');
  await qi.dropTable('crm_field_values');
  await qi.dropTable('crm_fields');
};

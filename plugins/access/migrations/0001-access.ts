import type { MigrationFn } from '../../../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('access_classes', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(190), allowNull: false, unique: true },
    color: { type: DataTypes.STRING(7), allowNull: true },
    sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  // Groups are the host's: their rows go with them (foreign keys with cascade).
  await qi.createTable('access_group_classes', {
    group_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'host_groups', key: 'id' }, onDelete: 'CASCADE' },
    class_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'access_classes', key: 'id' }, onDelete: 'CASCADE' },
    level: { type: DataTypes.STRING(4), allowNull: false },
  });
  await qi.addIndex('access_group_classes', ['class_id', 'group_id'], { name: 'access_group_classes_class' });
  await qi.createTable('access_group_options', {
    group_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'host_groups', key: 'id' }, onDelete: 'CASCADE' },
    only_own: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
  });
  await qi.createTable('access_contact_grants', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // No foreign key to crm_contacts: the CRM tells us about merges and purges through its events.
    contact_id: { type: DataTypes.INTEGER, allowNull: false },
    user_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'host_users', key: 'id' }, onDelete: 'CASCADE' },
    group_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'host_groups', key: 'id' }, onDelete: 'CASCADE' },
    level: { type: DataTypes.STRING(4), allowNull: false },
    created_by: { type: DataTypes.INTEGER, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('access_contact_grants', ['contact_id'], { name: 'access_grants_contact' });
  // The scope's subqueries: "contacts granted to this user" and "... to these groups", index-only.
  await qi.addIndex('access_contact_grants', ['user_id', 'contact_id', 'level'], { name: 'access_grants_user' });
  await qi.addIndex('access_contact_grants', ['group_id', 'contact_id', 'level'], { name: 'access_grants_group' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('access_contact_grants');
  await qi.dropTable('access_group_options');
  await qi.dropTable('access_group_classes');
  await qi.dropTable('access_classes');
};

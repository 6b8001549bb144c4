import type { MigrationFn } from '../../../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes, sequelize, dialect } }) => {
  await qi.createTable('tags_tags', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // The first spelling is kept ("VIP"); name_key ("vip") makes names unique case-insensitively.
    name: { type: DataTypes.STRING(100), allowNull: false },
    name_key: { type: DataTypes.STRING(190), allowNull: false },
    color: { type: DataTypes.STRING(7), allowNull: false },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  if (dialect === 'mysql') {
    // The table's utf8mb4_unicode_ci would also fold accents ("café" = "cafe"); SQLite does not.
    // A binary key column makes both dialects compare exactly the folding done in code.
    await sequelize.query('ALTER TABLE tags_tags MODIFY name_key VARCHAR(190) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
  }
  await qi.addIndex('tags_tags', ['name_key'], { name: 'tags_tags_name_key', unique: true });

  // No foreign key to crm_contacts: the CRM tells us about merges and purges through its events.
  await qi.createTable('tags_contact_tags', {
    contact_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    tag_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'tags_tags', key: 'id' }, onDelete: 'CASCADE' },
  });
  // Filters and counts by tag walk this index; the primary key serves "tags of these contacts".
  await qi.addIndex('tags_contact_tags', ['tag_id', 'contact_id'], { name: 'tags_contact_tags_tag' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('tags_contact_tags');
  await qi.dropTable('tags_tags');
};

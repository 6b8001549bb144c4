import type { MigrationFn } from '../../../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('segments_segments', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(190), allowNull: false },
    color: { type: DataTypes.STRING(7), allowNull: false },
    type: { type: DataTypes.STRING(10), allowNull: false },
    // Dynamic: the list's filter parameters as JSON. Source: the source's parameters as JSON.
    filter: { type: DataTypes.TEXT, allowNull: true },
    source_id: { type: DataTypes.STRING(190), allowNull: true },
    // No foreign key: a segment outlives its owner's account (shared ones stay with the team).
    owner_id: { type: DataTypes.INTEGER, allowNull: false },
    shared: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    archived: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    // Bumped on every change: other instances see it and recompile their saved filters.
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('segments_segments', ['owner_id'], { name: 'segments_segments_owner' });
  await qi.addIndex('segments_segments', ['shared'], { name: 'segments_segments_shared' });

  // No foreign key to crm_contacts: the CRM tells us about merges and purges through its events.
  await qi.createTable('segments_members', {
    segment_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'segments_segments', key: 'id' }, onDelete: 'CASCADE' },
    contact_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
  });
  // The primary key serves "members of a segment" (the filter, counts); this one "segments of a contact" (the card, merges, purges).
  await qi.addIndex('segments_members', ['contact_id', 'segment_id'], { name: 'segments_members_contact' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('segments_members');
  await qi.dropTable('segments_segments');
};

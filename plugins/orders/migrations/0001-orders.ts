import type { MigrationFn } from '../../../host/api.js';

export const up: MigrationFn = async ({ context: { queryInterface: qi, DataTypes } }) => {
  await qi.createTable('orders_orders', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    // No foreign key to crm_contacts: the CRM tells us about merges and purges through its events.
    contact_id: { type: DataTypes.INTEGER, allowNull: false },
    number: { type: DataTypes.STRING(40), allowNull: false },
    product: { type: DataTypes.STRING(190), allowNull: false },
    amount: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
    currency: { type: DataTypes.STRING(3), allowNull: false },
    ordered_at: { type: DataTypes.DATEONLY, allowNull: false },
    status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'new' },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('orders_orders', ['contact_id', 'ordered_at'], { name: 'orders_orders_contact' });
  // The client-list condition "has an order of product X above N between dates": one range scan.
  await qi.addIndex('orders_orders', ['product', 'ordered_at', 'amount'], { name: 'orders_orders_product' });
  await qi.addIndex('orders_orders', ['ordered_at', 'id'], { name: 'orders_orders_date' });
};

export const down: MigrationFn = async ({ context: { queryInterface: qi } }) => {
  await qi.dropTable('orders_orders');
};

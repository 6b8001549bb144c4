/**
 * The client-list condition "has an order of product X above amount N between dates", for the
 * CRM's `crm.filter/v1` extension point. Every part is optional: no parts means "has any order".
 */
import type { Request } from 'express';
import type { FilterCondition, FilterValue } from '../../crm/api.js';

export interface HasOrderValue {
  product?: string;
  min_amount?: number;
  from?: string;
  to?: string;
}

export const hasOrderSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    product: { type: 'string', minLength: 1, maxLength: 190, title: 'orders:filter.product' },
    min_amount: { type: 'number', minimum: 0, maximum: 1e12, title: 'orders:filter.min_amount' },
    from: { type: 'string', format: 'date', title: 'orders:filter.from' },
    to: { type: 'string', format: 'date', title: 'orders:filter.to' },
  },
};

/** The SQL of the condition: a correlated EXISTS that the (product, ordered_at, amount) index serves. */
export function hasOrderSql(value: FilterValue, alias: string): { sql: string; params: unknown[] } {
  const v = value as HasOrderValue;
  const parts = [`ord.contact_id = ${alias}.id`];
  const params: unknown[] = [];
  if (v.product) {
    parts.push('ord.product = ?');
    params.push(v.product);
  }
  if (v.min_amount !== undefined) {
    parts.push('ord.amount > ?');
    params.push(Number(v.min_amount));
  }
  if (v.from && v.to) {
    parts.push('ord.ordered_at BETWEEN ? AND ?');
    params.push(v.from, v.to);
  } else if (v.from) {
    parts.push('ord.ordered_at >= ?');
    params.push(v.from);
  } else if (v.to) {
    parts.push('ord.ordered_at <= ?');
    params.push(v.to);
  }
  return { sql: `EXISTS (SELECT 1 FROM orders_orders ord WHERE ${parts.join(' AND ')})`, params };
}

/** "Has an order of “Laptop” above 700 from 2024-04-01 to 2024-04-30", in the user's language. */
export function describeHasOrder(value: FilterValue, req: Request): string {
  const v = value as HasOrderValue;
  const parts = [req.t('orders:filter.chip.base')];
  if (v.product) parts.push(req.t('orders:filter.chip.product', { product: v.product }));
  if (v.min_amount !== undefined) parts.push(req.t('orders:filter.chip.min_amount', { amount: new Intl.NumberFormat(req.language).format(Number(v.min_amount)) }));
  if (v.from) parts.push(req.t('orders:filter.chip.from', { date: v.from }));
  if (v.to) parts.push(req.t('orders:filter.chip.to', { date: v.to }));
  return parts.join(' ');
}

export const hasOrderCondition: FilterCondition = {
  id: 'has-order',
  title: 'orders:filter.title',
  right: 'orders.access',
  schema: hasOrderSchema,
  sql: hasOrderSql,
  describe: describeHasOrder,
};

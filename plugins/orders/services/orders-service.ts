/**
 * Reads and writes the orders table. Every read that crosses contacts goes through the CRM's
 * access scope (ContactScope): a user only ever sees orders of contacts they may see.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { TOKENS, inject, injectable, type CurrentUser } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../../crm/api.js';
import type { NewOrder, Order, OrderListQuery, OrdersService, OrderStatus } from '../api.js';

interface OrderRow {
  id: number | string;
  contact_id: number | string;
  number: string;
  product: string;
  amount: number | string;
  currency: string;
  ordered_at: string | Date;
  status: string;
  created_at: string | Date;
  contact_name?: string;
}

const COLUMNS = 'o.id, o.contact_id, o.number, o.product, o.amount, o.currency, o.ordered_at, o.status, o.created_at';

/** DATEONLY comes back as a string from SQLite and as a Date (UTC midnight) from MariaDB. */
const day = (v: string | Date): string => (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10);

function toOrder(r: OrderRow): Order {
  return {
    id: Number(r.id),
    contact_id: Number(r.contact_id),
    number: r.number,
    product: r.product,
    amount: Number(r.amount),
    currency: r.currency,
    ordered_at: day(r.ordered_at),
    status: r.status as OrderStatus,
    created_at: new Date(r.created_at).toISOString(),
  };
}

@injectable()
export class OrdersServiceImpl implements OrdersService {
  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
  ) {}

  async forContact(user: CurrentUser, contactId: number): Promise<Order[]> {
    await this.scope.assertVisible(user, contactId);
    const [rows] = await this.db.query(`SELECT ${COLUMNS} FROM orders_orders o WHERE o.contact_id = ? ORDER BY o.ordered_at DESC, o.id DESC`, {
      replacements: [contactId],
    });
    return (rows as OrderRow[]).map(toOrder);
  }

  async countForContact(user: CurrentUser, contactId: number): Promise<number> {
    const scope = this.scope.condition(user, 'c');
    const [rows] = await this.db.query(
      `SELECT COUNT(*) AS n FROM orders_orders o JOIN crm_contacts c ON c.id = o.contact_id WHERE o.contact_id = ? AND ${scope.sql}`,
      { replacements: [contactId, ...scope.params] },
    );
    return Number((rows as Array<{ n: number | string }>)[0]?.n ?? 0);
  }

  async create(user: CurrentUser, contactId: number, input: NewOrder): Promise<Order> {
    await this.scope.assertVisible(user, contactId);
    return this.db.transaction(async (transaction) => {
      const now = new Date();
      const [id] = await this.db.query(
        'INSERT INTO orders_orders (contact_id, number, product, amount, currency, ordered_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        {
          replacements: [contactId, input.number?.trim() || '', input.product.trim(), Math.round(input.amount * 100) / 100, input.currency.toUpperCase(), input.ordered_at ?? now.toISOString().slice(0, 10), input.status ?? 'new', now],
          transaction,
          type: QueryTypes.INSERT,
        },
      );
      const orderId = Number(id);
      // Numbered from the row id: unique without a counter table.
      if (!input.number?.trim()) await this.db.query('UPDATE orders_orders SET number = ? WHERE id = ?', { replacements: [`SO-${String(orderId).padStart(6, '0')}`, orderId], transaction });
      const [rows] = await this.db.query(`SELECT ${COLUMNS} FROM orders_orders o WHERE o.id = ?`, { replacements: [orderId], transaction });
      return toOrder((rows as OrderRow[])[0]!);
    });
  }

  async list(user: CurrentUser, query: OrderListQuery = {}): Promise<{ items: Array<Order & { contact_name: string }>; total: number }> {
    const scope = this.scope.condition(user, 'c');
    const where = [scope.sql, 'c.deleted_at IS NULL'];
    const params = [...scope.params];
    if (query.product) {
      where.push('o.product = ?');
      params.push(query.product);
    }
    if (query.status) {
      where.push('o.status = ?');
      params.push(query.status);
    }
    const from = `FROM orders_orders o JOIN crm_contacts c ON c.id = o.contact_id WHERE ${where.join(' AND ')}`;
    const limit = Math.min(Math.max(Math.floor(query.limit ?? 50), 1), 500);
    const offset = Math.max(Math.floor(query.offset ?? 0), 0);
    const [rows] = await this.db.query(`SELECT ${COLUMNS}, c.display_name AS contact_name ${from} ORDER BY o.ordered_at DESC, o.id DESC LIMIT ${limit} OFFSET ${offset}`, {
      replacements: params,
    });
    const [count] = await this.db.query(`SELECT COUNT(*) AS n ${from}`, { replacements: params });
    return {
      items: (rows as OrderRow[]).map((r) => ({ ...toOrder(r), contact_name: r.contact_name ?? '' })),
      total: Number((count as Array<{ n: number | string }>)[0]?.n ?? 0),
    };
  }

  async products(): Promise<string[]> {
    const [rows] = await this.db.query('SELECT DISTINCT product FROM orders_orders ORDER BY product LIMIT 500');
    return (rows as Array<{ product: string }>).map((r) => r.product);
  }

  async repoint(fromId: number, intoId: number, transaction: Transaction): Promise<number> {
    const [, meta] = await this.db.query('UPDATE orders_orders SET contact_id = ? WHERE contact_id = ?', { replacements: [intoId, fromId], transaction });
    return affected(meta);
  }

  async removeForContact(contactId: number): Promise<number> {
    const [, meta] = await this.db.query('DELETE FROM orders_orders WHERE contact_id = ?', { replacements: [contactId] });
    return affected(meta);
  }
}

/** Rows changed by an UPDATE or DELETE: mysql2 reports affectedRows, sqlite3 `changes`. */
function affected(meta: unknown): number {
  const m = meta as { affectedRows?: number; changes?: number } | number | undefined;
  if (typeof m === 'number') return m;
  return Number(m?.affectedRows ?? m?.changes ?? 0);
}

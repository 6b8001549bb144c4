/**
 * The public surface of the orders app: its service token and the order types, for plugins that
 * list "orders" in their dependencies.
 */
import type { Transaction } from 'sequelize';
import type { CurrentUser } from '../../host/api.js';

export const OrdersTokens = {
  Orders: Symbol.for('orders.Orders'),
} as const;

export const ORDER_STATUSES = ['new', 'paid', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Order {
  id: number;
  contact_id: number;
  number: string;
  product: string;
  amount: number;
  /** ISO 4217 code, e.g. "PLN". */
  currency: string;
  /** YYYY-MM-DD. */
  ordered_at: string;
  status: OrderStatus;
  created_at: string;
}

export interface NewOrder {
  product: string;
  amount: number;
  currency: string;
  ordered_at?: string;
  status?: OrderStatus;
  /** Generated ("SO-000123") when not given. */
  number?: string;
}

export interface OrderListQuery {
  product?: string;
  status?: OrderStatus;
  limit?: number;
  offset?: number;
}

export interface OrdersService {
  /** The contact's orders, newest first; 404 when the user may not see the contact. */
  forContact(user: CurrentUser, contactId: number): Promise<Order[]>;
  /** How many orders the contact has; 0 for a contact the user may not see. */
  countForContact(user: CurrentUser, contactId: number): Promise<number>;
  /** Adds an order to a contact the user may see (404 otherwise). */
  create(user: CurrentUser, contactId: number, input: NewOrder): Promise<Order>;
  /** Orders of every contact the user may see, with the contact's name, newest first. */
  list(user: CurrentUser, query?: OrderListQuery): Promise<{ items: Array<Order & { contact_name: string }>; total: number }>;
  /** Product names in use, for pickers. */
  products(): Promise<string[]>;
  /** Moves a merged contact's orders to the surviving contact, inside the merge's transaction. */
  repoint(fromId: number, intoId: number, transaction: Transaction): Promise<number>;
  /** Deletes the orders of a contact that was purged. */
  removeForContact(contactId: number): Promise<number>;
}

/** Orders as the views show them: amounts and dates formatted in the reader's language. */
import type { Order, OrderStatus } from '../api.js';

export const STATUS_BADGES: Record<OrderStatus, string> = {
  new: 'text-bg-primary',
  paid: 'text-bg-success',
  shipped: 'text-bg-info',
  cancelled: 'text-bg-secondary',
};

export const CURRENCIES = ['PLN', 'EUR', 'USD', 'GBP', 'UAH', 'RUB'];

export function money(amount: number, currency: string, language: string): string {
  try {
    return new Intl.NumberFormat(language, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`; // a code Intl does not know
  }
}

export function day(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

export function orderView<T extends Order>(order: T, language: string) {
  return { ...order, amountText: money(order.amount, order.currency, language), dateText: day(order.ordered_at, language), badge: STATUS_BADGES[order.status] ?? 'text-bg-light' };
}

/** Sums per currency, largest first: a contact may buy in several currencies. */
export function totals(orders: Order[], language: string): string[] {
  const sums = new Map<string, number>();
  for (const o of orders) if (o.status !== 'cancelled') sums.set(o.currency, (sums.get(o.currency) ?? 0) + o.amount);
  return [...sums.entries()].sort((a, b) => b[1] - a[1]).map(([currency, sum]) => money(Math.round(sum * 100) / 100, currency, language));
}

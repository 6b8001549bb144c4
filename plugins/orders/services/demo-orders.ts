/**
 * Demo orders for demo contacts (the seeder runs after the CRM's, order 60): about half of the
 * contacts get one to five orders from a small catalogue, priced in the currency of their market
 * (read from their phone's country code or their domain), dated after the contact was added.
 */
import type { Contact, ContactQueryService } from '../../crm/api.js';
import { CrmTokens } from '../../crm/api.js';
import { TOKENS, type CurrentUser, type HostServices, type UsersService } from '../../../host/api.js';
import type { OrderStatus } from '../api.js';
import { currencyOf } from './currency.js';

export const CATALOGUE: Array<[product: string, usd: number]> = [
  ['Laptop Pro 14', 1400],
  ['Ergonomic Office Chair', 320],
  ['Standing Desk', 550],
  ['27" 4K Monitor', 380],
  ['Wireless Headset', 120],
  ['Printer Paper A4, 5 reams', 25],
  ['Laser Printer', 260],
  ['CRM Subscription, annual', 900],
  ['Support Plan Gold', 1500],
  ['Onboarding Workshop', 700],
  ['Coffee Machine', 450],
  ['Projector', 600],
];

const RATES: Record<string, number> = { USD: 1, EUR: 0.92, PLN: 4, RUB: 90, UAH: 40, GBP: 0.8 };
const DAY = 86_400_000;

/** mulberry32 seeded by the contact id: the same contacts get the same orders on every run. */
function random(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface OrderRow {
  contact_id: number;
  number: string;
  product: string;
  amount: number;
  currency: string;
  ordered_at: string;
  status: OrderStatus;
  created_at: Date;
}

/** The orders one contact gets (often none). */
export function demoOrdersFor(contact: Contact, now: number): Array<Omit<OrderRow, 'number'>> {
  const r = random(contact.id);
  if (r() > (contact.kind === 'company' ? 0.7 : 0.4)) return [];
  const currency = currencyOf(contact);
  const since = Math.max(Date.parse(contact.created_at), now - 730 * DAY);
  const count = 1 + Math.floor(r() ** 2 * 5);
  return Array.from({ length: count }, () => {
    const [product, usd] = CATALOGUE[Math.floor(r() * CATALOGUE.length)]!;
    const quantity = 1 + Math.floor(r() ** 3 * 10);
    const amount = Math.round(usd * quantity * (RATES[currency] ?? 1) * (0.9 + r() * 0.2) * 100) / 100;
    const at = since + r() * Math.max(now - since, DAY);
    const age = (now - at) / DAY;
    const status: OrderStatus = r() < 0.05 ? 'cancelled' : age > 30 ? 'shipped' : age > 7 ? 'paid' : 'new';
    return { contact_id: contact.id, product, amount, currency, ordered_at: new Date(Math.min(at, now)).toISOString().slice(0, 10), status, created_at: new Date(Math.min(at, now)) };
  });
}

async function admin(host: HostServices): Promise<CurrentUser> {
  const users = host.get<UsersService>(TOKENS.Users);
  const configured = await users.findByEmail(host.config.adminEmail);
  const candidates = [...(configured ? [configured] : []), ...[...(await users.list())].sort((a, b) => a.id - b.id)];
  for (const record of candidates) {
    const user = record.isActive ? await users.currentUser(record.id) : null;
    if (user?.isAdmin) return user;
  }
  throw new Error('There is no active administrator to read the contacts as.');
}

/**
 * Writes demo orders for up to `contacts` contacts (the first start's demo contacts when not
 * given), reading them page by page through the CRM's contact query, in multi-row inserts.
 */
export async function seedDemoOrders(host: HostServices, options: { contacts?: number; now?: Date } = {}): Promise<string> {
  const [existing] = await host.db.query('SELECT id FROM orders_orders LIMIT 1');
  if (options.contacts === undefined && (existing as unknown[]).length) return 'there are orders already: no demo orders added';
  const query = host.get<ContactQueryService>(CrmTokens.ContactQuery);
  const user = await admin(host);
  const now = (options.now ?? new Date()).getTime();
  const wanted = options.contacts ?? 200;
  const [max] = await host.db.query('SELECT MAX(id) AS m FROM orders_orders');
  let next = Number((max as Array<{ m: number | null }>)[0]?.m ?? 0) + 1;
  let seen = 0;
  let written = 0;
  let cursor: string | undefined;
  do {
    const page = await query.list(user, { limit: Math.min(500, wanted - seen), cursor, sort: 'created_at' });
    seen += page.items.length;
    const rows = page.items.flatMap((c) => demoOrdersFor(c, now)).map((o) => ({ ...o, number: `SO-${String(next++).padStart(6, '0')}` }));
    if (rows.length) await host.db.getQueryInterface().bulkInsert('orders_orders', rows);
    written += rows.length;
    cursor = page.next_cursor ?? undefined;
  } while (cursor && seen < wanted);
  return `${written} demo orders for ${seen} contacts`;
}

/** The "Orders" tab of the client card: the contact's orders, totals and a form to add one. */
import type { Request } from 'express';
import { TOKENS, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import type { Contact, ProfileTab } from '../../crm/api.js';
import { ORDER_STATUSES, OrdersTokens, type OrdersService } from '../api.js';
import { currencyOf } from '../services/currency.js';
import { CURRENCIES, orderView, totals } from './view-model.js';

export interface TabForm {
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  saved?: boolean;
}

export async function renderOrdersTab(ctx: PluginContext, req: Request, contact: Pick<Contact, 'id' | 'phones' | 'domains' | 'emails'>, form: TabForm = {}): Promise<string> {
  const orders = ctx.get<OrdersService>(OrdersTokens.Orders);
  const list = await orders.forContact(req.user!, contact.id);
  const currency = String(form.values?.currency ?? list[0]?.currency ?? currencyOf(contact));
  return ctx.get<ViewRenderer>(TOKENS.Views).renderPartial(req, 'orders/tab', {
    contactId: contact.id,
    orders: list.map((o) => orderView(o, req.language)),
    count: list.length,
    totals: totals(list, req.language),
    canManage: req.user!.can('orders.manage'),
    products: await orders.products(),
    currencies: [...new Set([currency, ...CURRENCIES])],
    statuses: ORDER_STATUSES,
    values: { currency, status: 'new', ordered_at: new Date().toISOString().slice(0, 10), ...(form.saved ? {} : form.values) },
    errors: form.errors ?? {},
    open: Boolean(form.errors && Object.keys(form.errors).length),
    saved: form.saved ?? false,
  });
}

export function ordersTab(ctx: PluginContext): ProfileTab {
  return {
    id: 'orders',
    title: 'orders:tab.title',
    order: 40,
    right: 'orders.access',
    count: (contact, req) => ctx.get<OrdersService>(OrdersTokens.Orders).countForContact(req.user!, contact.id),
    render: (contact, req) => renderOrdersTab(ctx, req, contact),
  };
}

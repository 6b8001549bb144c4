/** The orders page (`/orders`) and the form post of the Orders tab. */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, type FieldError, type PluginContext, type ValidationService, type ViewRenderer } from '../../../host/api.js';
import { CrmTokens, type ContactsService } from '../../crm/api.js';
import { ORDER_STATUSES, OrdersTokens, type NewOrder, type OrdersService, type OrderStatus } from '../api.js';
import { orderFormSchema } from './order-input.js';
import { renderOrdersTab } from './orders-tab.js';
import { orderView } from './view-model.js';

const PAGE_SIZE = 50;

const listQuery = {
  type: 'object',
  properties: {
    product: { type: 'string', maxLength: 190 },
    status: { enum: ['', ...ORDER_STATUSES] },
    page: { type: 'integer', minimum: 1, maximum: 100000 },
  },
};

/** A same-site path to go back to after a plain (non-htmx) form post. */
function backTo(req: Request): string {
  const referer = req.get('referer');
  if (!referer) return '/orders';
  try {
    const url = new URL(referer);
    return url.host === req.get('host') ? `${url.pathname}${url.search}` : '/orders';
  } catch {
    return '/orders';
  }
}

export function registerPages(ctx: PluginContext): void {
  const orders = () => ctx.get<OrdersService>(OrdersTokens.Orders);
  const views = () => ctx.get<ViewRenderer>(TOKENS.Views);

  ctx.route({
    method: 'get',
    path: '/',
    right: 'orders.access',
    query: listQuery,
    handler: async (req: Request, res: Response) => {
      const q = req.query as { product?: string; status?: OrderStatus | ''; page?: number };
      const page = q.page ?? 1;
      const { items, total } = await orders().list(req.user!, { product: q.product || undefined, status: q.status || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const link = (p: number) => `/orders?${new URLSearchParams({ ...(q.product ? { product: q.product } : {}), ...(q.status ? { status: q.status } : {}), page: String(p) })}`;
      res.type('html').send(
        await views().renderPage(req, 'orders/list', {
          title: req.t('orders:page.title'),
          orders: items.map((o) => orderView(o, req.language)),
          total,
          products: await orders().products(),
          statuses: ORDER_STATUSES,
          filter: { product: q.product ?? '', status: q.status ?? '' },
          filtered: Boolean(q.product || q.status),
          page,
          pages,
          previous: page > 1 ? link(page - 1) : null,
          next: page < pages ? link(page + 1) : null,
        }),
      );
    },
  });

  // The Orders tab's form: htmx swaps the tab with the answer; without JavaScript it redirects back.
  ctx.route({
    method: 'post',
    path: '/contacts/:id',
    right: 'orders.manage',
    handler: async (req: Request, res: Response) => {
      const id = Number(req.params.id);
      if (!Number.isInteger(id) || id < 1) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      const contact = await ctx.get<ContactsService>(CrmTokens.Contacts).get(req.user!, id); // 404 unless visible and not in the trash
      const body = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
      // People write "1 250,50" in Polish, Russian and Ukrainian.
      if (typeof body.amount === 'string') body.amount = body.amount.replace(/[\s\u00a0]/g, '').replace(',', '.');
      const errors: FieldError[] = ctx.get<ValidationService>(TOKENS.Validation).validate(orderFormSchema, body, true);
      const htmx = req.get('HX-Request') === 'true';
      if (errors.length) {
        if (!htmx) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
        const messages = Object.fromEntries(errors.map((e) => [e.field, req.t(e.message, e.params ?? {})]));
        return void res.type('html').send(await renderOrdersTab(ctx, req, contact, { values: body, errors: messages }));
      }
      const { _csrf: _token, ...input } = body;
      await orders().create(req.user!, id, input as unknown as NewOrder);
      if (htmx) {
        // The card listens for this event and refreshes its header, so the tab's count follows.
        res.set('HX-Trigger', 'crm:stale');
        return void res.type('html').send(await renderOrdersTab(ctx, req, contact, { saved: true }));
      }
      res.redirect(303, backTo(req));
    },
  });
}

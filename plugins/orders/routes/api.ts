/** REST: a contact's orders (`/api/v1/contacts/:id/orders`), inside the CRM's access scope. */
import type { Request } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../../crm/api.js';
import { OrdersTokens, type NewOrder, type OrdersService } from '../api.js';
import { newOrderSchema } from './order-input.js';

function contactId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

export function registerApi(ctx: PluginContext): void {
  const orders = () => ctx.get<OrdersService>(OrdersTokens.Orders);

  ctx.route({
    method: 'get',
    path: '/contacts/:id/orders',
    api: true,
    right: 'orders.access',
    summary: "A contact's orders, newest first (404 for a contact the caller may not see)",
    handler: async (req, res) => {
      const id = contactId(req);
      await ctx.get<ContactScope>(CrmTokens.Scope).assertVisible(req.user!, id);
      res.json({ items: await orders().forContact(req.user!, id) });
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/orders',
    api: true,
    right: 'orders.manage',
    body: newOrderSchema,
    summary: 'Add an order to a contact: {product, amount, currency, ordered_at?, status?, number?}',
    handler: async (req, res) => {
      const id = contactId(req);
      await ctx.get<ContactScope>(CrmTokens.Scope).assertVisible(req.user!, id);
      res.status(201).json(await orders().create(req.user!, id, req.body as NewOrder));
    },
  });
}

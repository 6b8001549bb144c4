/**
 * The orders app, a sample third-party plugin: it depends only on the host SDK and the CRM's
 * api.ts, keeps its own table, page, locales and views, and extends the CRM through its
 * extension points (an Orders tab with a count on the client card, a client-list filter
 * condition) and events (re-pointing orders on merge, deleting them on purge).
 */
import { ContainerModule, menuItems, seeders, type PluginContext } from '../../host/api.js';
import { contactDeleted, contactMerged, filterConditions, profileTabs } from '../crm/api.js';
import { OrdersTokens, type OrdersService } from './api.js';
import { registerApi } from './routes/api.js';
import { ordersTab } from './routes/orders-tab.js';
import { registerPages } from './routes/pages.js';
import { seedDemoOrders } from './services/demo-orders.js';
import { hasOrderCondition } from './services/order-condition.js';
import { OrdersServiceImpl } from './services/orders-service.js';

export function register(ctx: PluginContext): void {
  const orders = () => ctx.get<OrdersService>(OrdersTokens.Orders);

  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(OrdersTokens.Orders).to(OrdersServiceImpl).inSingletonScope();
    }),
  );

  ctx.extend(menuItems, { id: 'orders', title: 'orders:menu', href: '/orders', icon: 'bag-check', order: 40, right: 'orders.access' });
  ctx.extend(profileTabs, ordersTab(ctx));
  ctx.extend(filterConditions, hasOrderCondition);
  ctx.extend(seeders, { id: 'orders-demo', order: 60, run: (host, { size }) => seedDemoOrders(host, { contacts: size }) });

  ctx.on(contactMerged, async ({ fromId, intoId, transaction }) => {
    await orders().repoint(fromId, intoId, transaction);
  });
  ctx.on(contactDeleted, async ({ id, purged }) => {
    if (purged) await orders().removeForContact(id);
  });

  registerPages(ctx);
  registerApi(ctx);
}

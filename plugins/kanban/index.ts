/**
 * The kanban board of the CRM: clients in one column per status. It reads through the CRM's
 * query service (scope and list filters included) and changes statuses through its contacts
 * service (version check, rights, history), so it keeps no tables of its own.
 */
import { ContainerModule, menuItems, type PluginContext } from '../../host/api.js';
import { KanbanTokens } from './api.js';
import { registerApi } from './routes/api.js';
import { registerBoardPage } from './routes/board-page.js';
import { BoardServiceImpl } from './services/board-service.js';

export function register(ctx: PluginContext): void {
  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(KanbanTokens.Board).to(BoardServiceImpl).inSingletonScope();
    }),
  );
  ctx.extend(menuItems, { id: 'board', title: 'kanban:menu', href: '/kanban', icon: 'kanban', order: 12, right: 'crm.access' });
  registerBoardPage(ctx);
  registerApi(ctx);
}

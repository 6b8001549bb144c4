/**
 * Responsible managers: who looks after how many clients, reassigning every client of a user
 * (a background job with history per contact), and a pool of free clients to claim. Reads go
 * through the CRM's access scope and query service; single changes through its contacts service.
 */
import { ContainerModule, menuItems, type PluginContext } from '../../host/api.js';
import { ResponsibleTokens, type ReassignRequest } from './api.js';
import { registerApi } from './routes/api.js';
import { registerOverviewPage } from './routes/overview-page.js';
import { registerPoolPage } from './routes/pool-page.js';
import { ManagersServiceImpl } from './services/managers-service.js';
import { PoolServiceImpl } from './services/pool-service.js';
import { REASSIGN_JOB_HANDLER, ReassignJob } from './services/reassign-job.js';
import { ReassignServiceImpl } from './services/reassign-service.js';

export function register(ctx: PluginContext): void {
  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(ResponsibleTokens.Managers).to(ManagersServiceImpl).inSingletonScope();
      bind(ResponsibleTokens.Reassign).to(ReassignServiceImpl).inSingletonScope();
      bind(ResponsibleTokens.Pool).to(PoolServiceImpl).inSingletonScope();
      bind(REASSIGN_JOB_HANDLER).to(ReassignJob).inSingletonScope();
    }),
  );
  ctx.extend(menuItems, { id: 'responsible', title: 'responsible:menu', href: '/responsible', icon: 'person-badge', order: 14, right: 'crm.access' });
  // The host names it `responsible.reassign` (REASSIGN_JOB in api.ts).
  ctx.job<ReassignRequest>('reassign', (job) => ctx.get<ReassignJob>(REASSIGN_JOB_HANDLER).run(job));
  registerOverviewPage(ctx);
  registerPoolPage(ctx);
  registerApi(ctx);
}

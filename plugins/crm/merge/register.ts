/** Duplicates and merge: the finder (pages, API, job), the merge (screen, API, list action), the menu link. */
import { menuItems, type PluginContext } from '../../../host/api.js';
import { registerDuplicatesJob } from './duplicate-runs.js';
import { registerMergeAction } from './merge-action.js';
import { registerMergeApi } from './merge-api.js';
import { registerMergePages } from './merge-pages.js';

export function registerMerge(ctx: PluginContext): void {
  ctx.extend(menuItems, { id: 'duplicates', title: 'crm:duplicates.menu', href: '/crm/duplicates', icon: 'people', order: 11, right: 'crm.contacts.merge' });
  registerMergePages(ctx);
  registerMergeApi(ctx);
  registerMergeAction(ctx);
  registerDuplicatesJob(ctx);
}

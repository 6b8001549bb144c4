/** The import's web part: the REST API under /api/v1/imports and the wizard under /crm/import. */
import type { PluginContext } from '../../../../host/api.js';
import { registerImportApi } from './import-api.js';
import { registerImportPages } from './import-pages.js';

export function registerImportWeb(ctx: PluginContext): void {
  registerImportApi(ctx);
  registerImportPages(ctx);
}

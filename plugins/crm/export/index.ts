/**
 * Export of contacts (CSV and XLSX): the job type, the API, the pages, the list's mass action and
 * the command line.
 * Registered before the contact routes: `/contacts/export` must not be taken for a contact id.
 */
import type { PluginContext } from '../../../host/api.js';
import { registerExportAction } from './export-action.js';
import { registerExportApi } from './export-api.js';
import { registerExportCli } from './export-cli.js';
import { registerExportPages } from './export-pages.js';
import { registerExportJob } from './export-service.js';

export function registerExport(ctx: PluginContext): void {
  registerExportJob(ctx);
  registerExportApi(ctx);
  registerExportPages(ctx);
  registerExportAction(ctx);
  registerExportCli(ctx);
}

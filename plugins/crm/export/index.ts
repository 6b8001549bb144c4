/**
 * Export of contacts (CSV and XLSX): the job type, the API, the pages and the command line.
 * Registered before the contact routes: `/contacts/export` must not be taken for a contact id.
 */
import type { PluginContext } from '../../../host/api.js';
import { registerExportApi } from './export-api.js';
import { registerExportCli } from './export-cli.js';
import { registerExportPages } from './export-pages.js';
import { registerExportJob } from './export-service.js';

export function registerExport(ctx: PluginContext): void {
  registerExportJob(ctx);
  registerExportApi(ctx);
  registerExportPages(ctx);
  registerExportCli(ctx);
}

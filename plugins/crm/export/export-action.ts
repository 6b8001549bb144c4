/**
 * "Export" in the client list's mass actions: it leads to the export page for the selection,
 * where the user picks the format and the columns. It has no `run`: the API exports with
 * `GET /api/v1/contacts/export` and `selected=1` or any list filter.
 */
import type { PluginContext } from '../../../host/api.js';
import { listActions } from '../api.js';
import { RIGHT } from './export-api.js';
import { EXPORT_PATH } from './export-pages.js';

export const EXPORT_SELECTION_PATH = `${EXPORT_PATH}/selection`;

export function registerExportAction(ctx: PluginContext): void {
  ctx.extend(listActions, {
    id: 'export',
    title: 'crm:export.action',
    icon: 'box-arrow-up-right',
    order: 25,
    right: RIGHT,
    href: EXPORT_SELECTION_PATH,
    schema: { type: 'object', additionalProperties: false, description: 'crm:export.action_help', properties: {} },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/export/selection',
    right: RIGHT,
    summary: "The list's Export action: the export page for the selected contacts",
    handler: (_req, res) => {
      res.redirect(303, `${EXPORT_PATH}?selected=1`);
    },
  });
}

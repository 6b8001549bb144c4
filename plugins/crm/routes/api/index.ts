/**
 * The CRM's REST API under /api/v1 (DESIGN.md section 6): contacts with their notes, history,
 * tabs and employees, custom fields and dictionaries. Each resource lives in its own module.
 */
import type { PluginContext } from '../../../../host/api.js';
import { registerContactRoutes } from './contacts.js';
import { registerContactViewRoutes } from './contact-views.js';
import { registerDictionaryRoutes } from './dictionaries.js';
import { registerDuplicateCheck } from './duplicate-check.js';
import { registerFieldRoutes } from './fields.js';
import { registerListActionRoutes } from './list-actions.js';
import { registerNoteRoutes } from './notes.js';
import { registerSelectionRoutes } from './selections.js';

export function registerApiRoutes(ctx: PluginContext): void {
  // First: Express matches in order, and /contacts/:id would take "duplicates-check" as an id.
  registerDuplicateCheck(ctx);
  registerContactRoutes(ctx);
  registerContactViewRoutes(ctx);
  registerNoteRoutes(ctx);
  registerFieldRoutes(ctx);
  registerDictionaryRoutes(ctx);
  registerSelectionRoutes(ctx);
  registerListActionRoutes(ctx);
}

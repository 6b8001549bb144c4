/**
 * The client card's pages: adding a contact, the card with its header and tabs, editing fields
 * in place, notes, restoring from history, and the trash. One module per job, registered here.
 * `/contacts/new` comes before `/contacts/:id` so the word is never read as an id.
 */
import type { PluginContext } from '../../../host/api.js';
import { registerCardEdit } from './card-edit.js';
import { registerCardHistory } from './card-history.js';
import { registerCardNew } from './card-new.js';
import { registerCardNotes } from './card-notes.js';
import { registerPhotoRoutes } from './card-photo.js';
import { registerCardTrash } from './card-trash.js';
import { registerCardView } from './card-view.js';

export function registerCardPages(ctx: PluginContext): void {
  registerCardNew(ctx);
  registerCardView(ctx);
  registerCardEdit(ctx);
  registerCardNotes(ctx);
  registerCardHistory(ctx);
  registerCardTrash(ctx);
  registerPhotoRoutes(ctx);
}

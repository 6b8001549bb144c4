/** The Notes tab: add a note, pin it, and edit or delete your own; author and time on each. */
import type { Request } from 'express';
import type { PluginContext } from '../../../host/api.js';
import type { Contact } from '../api.js';
import { cardServices } from '../routes/card-support.js';
import type { Note } from '../services/notes-service.js';

export function noteView(note: Note, deleted = false) {
  return {
    id: note.id,
    contactId: note.contact_id,
    author: note.author_name,
    body: note.body,
    pinned: note.pinned,
    createdAt: note.created_at,
    // Pinning touches updated_at too; only call it edited when the text changed later on.
    edited: Date.parse(note.updated_at) - Date.parse(note.created_at) > 1000,
    updatedAt: note.updated_at,
    canEdit: note.can_edit && !deleted,
    canPin: !deleted,
  };
}

export async function countNotes(ctx: PluginContext, contact: Contact, req: Request): Promise<number> {
  return cardServices(ctx).notes.count(req.user!, contact.id);
}

/** The tab's body; after a failed add, with the error and the text kept. */
export async function renderNotesTab(ctx: PluginContext, contact: Contact, req: Request, form: { body?: string; error?: string | null } = {}): Promise<string> {
  const s = cardServices(ctx);
  const deleted = Boolean(contact.deleted_at);
  const notes = await s.notes.list(req.user!, contact.id);
  return s.views.renderPartial(req, 'crm/tabs/notes', {
    contactId: contact.id,
    notes: notes.map((n) => noteView(n, deleted)),
    canAdd: !deleted,
    body: form.body ?? '',
    error: form.error ?? null,
  });
}

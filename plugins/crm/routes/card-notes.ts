/**
 * Notes on the card: add, edit (the author), pin and unpin, delete (the author). Each answers the
 * re-rendered Notes tab (or one note) for htmx and redirects plain form posts back to the card.
 */
import type { Request, Response } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import { noteView, renderNotesTab } from '../tabs/notes-tab.js';
import { cardServices, errorMap, idParam, isHttpError, notFound, sendFragment, str, user } from './card-support.js';

const body = { type: 'object', properties: { body: { type: 'string', maxLength: 25000 } } };
const changed = { 'crm:changed': { notes: true } };
const htmx = (req: Request) => req.get('hx-request') === 'true';

export function registerCardNotes(ctx: PluginContext): void {
  const back = (res: Response, id: number) => res.redirect(303, `/crm/contacts/${id}#tab-crm-notes`);

  async function note(req: Request) {
    const s = cardServices(ctx);
    const id = idParam(req);
    const noteId = idParam(req, 'noteId');
    const found = (await s.notes.list(user(req), id)).find((n) => n.id === noteId);
    if (!found) throw notFound();
    return { s, id, noteId, found };
  }

  async function tab(req: Request, res: Response, id: number, status = 200, form: { body?: string; error?: string | null } = {}) {
    const s = cardServices(ctx);
    const contact = await s.contacts.get(user(req), id, { withDeleted: true });
    sendFragment(res, await renderNotesTab(ctx, contact, req, form), status, status === 200 ? changed : undefined);
  }

  ctx.route({
    method: 'post',
    path: '/contacts/:id/notes',
    right: 'crm.access',
    body,
    summary: 'Adds a note to a contact (answers the Notes tab)',
    handler: async (req, res) => {
      const s = cardServices(ctx);
      const id = idParam(req);
      const text = str(req.body.body);
      try {
        await s.notes.add(user(req), id, text);
      } catch (err) {
        if (!isHttpError(err, 400) || !htmx(req)) throw err;
        return tab(req, res, id, 400, { body: text, error: Object.values(errorMap(req, err.details))[0] ?? req.t(err.messageKey) });
      }
      if (!htmx(req)) return back(res, id);
      await tab(req, res, id);
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/notes/:noteId',
    right: 'crm.access',
    summary: 'One note (htmx fragment)',
    handler: async (req, res) => {
      const { s, found } = await note(req);
      sendFragment(res, await s.views.renderPartial(req, 'crm/partials/card-note', noteView(found)));
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/notes/:noteId/edit',
    right: 'crm.access',
    summary: "The editor of one's own note (htmx fragment)",
    handler: async (req, res) => {
      const { s, found } = await note(req);
      if (!found.can_edit) throw new HttpError(403, 'forbidden', 'crm:notes.only_author');
      sendFragment(res, await s.views.renderPartial(req, 'crm/partials/card-note-form', { ...noteView(found), text: found.body }));
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/notes/:noteId',
    right: 'crm.access',
    body,
    summary: "Changes the text of one's own note",
    handler: async (req, res) => {
      const { s, id, noteId, found } = await note(req);
      const text = str(req.body.body);
      try {
        const saved = await s.notes.edit(user(req), id, noteId, text);
        if (!htmx(req)) return back(res, id);
        sendFragment(res, await s.views.renderPartial(req, 'crm/partials/card-note', noteView(saved)), 200, changed);
      } catch (err) {
        if (!isHttpError(err, 400) || !htmx(req)) throw err;
        const error = Object.values(errorMap(req, err.details))[0] ?? req.t(err.messageKey);
        sendFragment(res, await s.views.renderPartial(req, 'crm/partials/card-note-form', { ...noteView(found), text, error }), 400);
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/notes/:noteId/pin',
    right: 'crm.access',
    body: { type: 'object', properties: { pinned: { enum: ['0', '1'] } } },
    summary: 'Pins a note to the top of the Notes tab, or unpins it',
    handler: async (req, res) => {
      const { s, id, noteId } = await note(req);
      await s.notes.pin(user(req), id, noteId, str(req.body.pinned) === '1');
      if (!htmx(req)) return back(res, id);
      await tab(req, res, id);
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/notes/:noteId/delete',
    right: 'crm.access',
    summary: "Deletes one's own note",
    handler: async (req, res) => {
      const { s, id, noteId } = await note(req);
      await s.notes.remove(user(req), id, noteId);
      if (!htmx(req)) return back(res, id);
      await tab(req, res, id);
    },
  });
}

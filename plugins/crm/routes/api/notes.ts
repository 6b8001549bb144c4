/** Notes on a contact: anyone who sees the contact reads, adds and pins; only the author edits or deletes. */
import type { PluginContext } from '../../../../host/api.js';
import { CrmTokens } from '../../api.js';
import type { Note, NotesService } from '../../services/notes-service.js';
import { apiRoutes, pathId } from './params.js';

const body = { type: 'string', minLength: 1, maxLength: 20000, pattern: '\\S' };

export function registerNoteRoutes(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const notes = () => ctx.get<NotesService>(CrmTokens.Notes);

  route({
    method: 'get',
    path: '/contacts/:id/notes',
    right: 'crm.access',
    summary: "A contact's notes, pinned first then newest",
    handler: async (req, res) => {
      res.json({ items: await notes().list(req.user!, pathId(req)) });
    },
  });

  route({
    method: 'post',
    path: '/contacts/:id/notes',
    right: 'crm.access',
    summary: 'Add a note to a contact',
    body: { type: 'object', additionalProperties: false, required: ['body'], properties: { body } },
    handler: async (req, res) => {
      res.status(201).json(await notes().add(req.user!, pathId(req), (req.body as { body: string }).body));
    },
  });

  route({
    method: 'patch',
    path: '/contacts/:id/notes/:noteId',
    right: 'crm.access',
    summary: 'Edit a note (its author only) or pin it',
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { body, pinned: { type: 'boolean' } } },
    handler: async (req, res) => {
      const contactId = pathId(req);
      const noteId = pathId(req, 'noteId');
      const input = req.body as { body?: string; pinned?: boolean };
      let note: Note | undefined;
      // The author check comes first, so a refused edit leaves the pin as it was too.
      if (input.body !== undefined) note = await notes().edit(req.user!, contactId, noteId, input.body);
      if (input.pinned !== undefined) note = await notes().pin(req.user!, contactId, noteId, input.pinned);
      res.json(note);
    },
  });

  route({
    method: 'delete',
    path: '/contacts/:id/notes/:noteId',
    right: 'crm.access',
    summary: 'Delete a note (its author only)',
    handler: async (req, res) => {
      await notes().remove(req.user!, pathId(req), pathId(req, 'noteId'));
      res.status(204).end();
    },
  });
}

/**
 * The tags in the client card's header: coloured chips (a click opens the list filtered by the
 * tag), an "x" to take one off, and an input that suggests existing tags as you type and creates
 * a new one on Enter. Plain htmx against the routes below: the slot swaps itself, then asks the
 * card to refresh (`crm:stale`) so the history tab reloads. assets/slot.js (loaded by the slot)
 * only enhances it: typed text survives header refreshes, arrow keys walk the suggestions.
 */
import type { Request, Response } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactsService, type ProfileHeaderSlot } from '../../crm/api.js';
import type { Tag } from '../api.js';
import { cleanName, foldName } from '../services/names.js';
import { chip, idParam, isHtmx, messageOf, services, wantsJson } from './support.js';

interface SlotState {
  error?: string;
  value?: string;
  /** Focus the input: after a tag was added, to type the next one. */
  focus?: boolean;
}

/**
 * Part of the input's id that changes with the contact's tags: when the card refreshes its header
 * with the same tags, assets/slot.js puts back what the user was typing into the input of the
 * same id; after a tag was added the id differs and the input comes fresh and empty.
 * (Not `hx-preserve`: htmx 2.0 loses a preserved element when two refreshes of the header overlap.)
 */
export function tagsStamp(tags: Tag[]): string {
  let h = 2166136261;
  for (const ch of tags.map((t) => t.id).sort((a, b) => a - b).join(',')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36);
}

async function canEdit(ctx: PluginContext, req: Request, contactId: number, deleted: boolean): Promise<boolean> {
  return !deleted && req.user!.can('crm.contacts.edit') && services(ctx).scope.canEdit(req.user!, contactId);
}

export async function renderSlot(ctx: PluginContext, req: Request, contactId: number, tags: Tag[], editable: boolean, state: SlotState = {}): Promise<string> {
  return services(ctx).views.renderPartial(req, 'tags/slot', {
    contactId,
    chips: tags.map(chip),
    canEdit: editable,
    inputId: `tags-input-${contactId}-${tagsStamp(tags)}`,
    suggestId: `tags-suggest-${contactId}-${tagsStamp(tags)}`,
    error: state.error ?? null,
    value: state.value ?? '',
    focus: state.focus ?? false,
  });
}

export function headerSlot(ctx: PluginContext): ProfileHeaderSlot {
  return {
    id: 'tags',
    order: 10,
    right: 'crm.access',
    render: async (contact: Contact, req: Request) => {
      const tags = (await services(ctx).contactTags.forContacts([contact.id])).get(contact.id) ?? [];
      return renderSlot(ctx, req, contact.id, tags, await canEdit(ctx, req, contact.id, Boolean(contact.deleted_at)));
    },
  };
}

/** What a change answers: the slot (htmx), the tags (JSON) or a redirect to the card (a plain form). */
async function answer(ctx: PluginContext, req: Request, res: Response, contactId: number, tags: Tag[], changed: boolean, focus: boolean): Promise<void> {
  if (isHtmx(req)) {
    res.set('Cache-Control', 'no-store');
    if (changed) res.set('HX-Trigger-After-Settle', JSON.stringify({ 'crm:stale': { tags: true } }));
    return void res.type('html').send(await renderSlot(ctx, req, contactId, tags, true, { focus }));
  }
  if (wantsJson(req)) return void res.json({ items: tags });
  res.redirect(303, `/crm/contacts/${contactId}`);
}

export function registerCardSlot(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/contacts/:id/slot',
    right: 'crm.access',
    summary: "The tags of a client card's header (htmx fragment)",
    handler: async (req, res) => {
      const contact = await ctx.get<ContactsService>(CrmTokens.Contacts).get(req.user!, idParam(req), { withDeleted: true }); // 404 unless visible
      res.set('Cache-Control', 'no-store').type('html').send(await headerSlot(ctx).render(contact, req));
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/suggest',
    right: 'crm.contacts.edit',
    summary: 'Tags to suggest while typing on a client card (htmx fragment)',
    handler: async (req, res) => {
      const id = idParam(req);
      const s = services(ctx);
      const own = await s.contactTags.ofContact(req.user!, id); // 404 unless visible
      const typed = cleanName(typeof req.query.name === 'string' ? req.query.name.slice(0, 200) : '');
      const found = await s.tags.suggest(typed, { exclude: own.map((t) => t.id), limit: 8 });
      const exact = [...own, ...found].some((t) => foldName(t.name) === foldName(typed));
      res.set('Cache-Control', 'no-store').type('html').send(
        await s.views.renderPartial(req, 'tags/suggest', {
          items: found.map(chip),
          create: typed && !exact && [...typed].length <= 100 && !typed.includes(',') ? typed : null,
          empty: !found.length && !typed,
        }),
      );
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/tags',
    right: 'crm.contacts.edit',
    summary: 'Add a tag to a client by name, creating it when new (htmx, JSON or form)',
    handler: async (req, res) => {
      const id = idParam(req);
      const s = services(ctx);
      const body = (req.body ?? {}) as Record<string, unknown>;
      // A suggestion button posts `pick`; Enter in the input posts the typed `name`.
      const name = typeof body.pick === 'string' && body.pick.trim() ? body.pick : typeof body.name === 'string' ? body.name : '';
      if (isHtmx(req) && !cleanName(name)) {
        await s.scope.assertVisible(req.user!, id);
        return answer(ctx, req, res, id, await s.contactTags.ofContact(req.user!, id), false, true);
      }
      try {
        const result = await s.contactTags.add(req.user!, id, name);
        await answer(ctx, req, res, id, result.tags, result.added, true);
      } catch (err) {
        // A bad name is shown under the input; anything else (404, 403) goes to the host.
        if (!(err instanceof HttpError) || err.status !== 400 || !isHtmx(req)) throw err;
        res.set('Cache-Control', 'no-store').type('html').send(
          await renderSlot(ctx, req, id, await s.contactTags.ofContact(req.user!, id), true, { error: messageOf(req, err), value: name }),
        );
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/tags/:tagId/remove',
    right: 'crm.contacts.edit',
    summary: 'Take a tag off a client (htmx, JSON or form)',
    handler: async (req, res) => {
      const id = idParam(req);
      const result = await services(ctx).contactTags.remove(req.user!, id, idParam(req, 'tagId'));
      await answer(ctx, req, res, id, result.tags, result.removed, false);
    },
  });
}

/**
 * Segments on the client card's header: the static segments the client is in (each a link to the
 * filtered list, with a remove button when the user may change the segment) and "Add to segment"
 * with the user's static segments. htmx swaps the slot after each change; without scripts the
 * forms post and come back to the card.
 */
import type { Request, Response } from 'express';
import type { PluginContext } from '../../../host/api.js';
import type { Contact, ProfileHeaderSlot } from '../../crm/api.js';
import { idParam, isHtmx, segmentModel, services } from './support.js';

async function renderSlot(ctx: PluginContext, req: Request, contactId: number): Promise<string> {
  const user = req.user!;
  const s = services(ctx);
  const canEdit = user.can('crm.contacts.edit');
  const [inside, all] = await Promise.all([s.segments.ofContact(user, contactId), canEdit ? s.segments.list(user) : Promise.resolve([])]);
  const member = new Set(inside.map((x) => x.id));
  return s.views.renderPartial(req, 'segments/slot', {
    contactId,
    chips: inside.map((x) => ({ ...segmentModel(req, x), removable: canEdit && x.editable && x.type === 'static' })),
    canAdd: canEdit,
    candidates: all.filter((x) => x.type === 'static' && x.editable && !member.has(x.id)).map((x) => segmentModel(req, x)),
  });
}

export const headerSlot = (ctx: PluginContext): ProfileHeaderSlot => ({
  id: 'segments',
  order: 30,
  right: 'crm.access',
  render: (contact: Contact, req: Request) => renderSlot(ctx, req, contact.id),
});

/** htmx gets the slot again; a plain form goes back to the card. */
async function answer(ctx: PluginContext, req: Request, res: Response, contactId: number): Promise<void> {
  if (isHtmx(req)) return void res.set('Cache-Control', 'no-store').type('html').send(await renderSlot(ctx, req, contactId));
  res.redirect(303, `/crm/contacts/${contactId}`);
}

export function registerCardSlot(ctx: PluginContext): void {
  const segmentOf = (req: Request) => Number((req.body as Record<string, unknown> | undefined)?.segment_id);

  ctx.route({
    method: 'get',
    path: '/contacts/:id/slot',
    right: 'crm.access',
    summary: 'The segments of a client card’s header (htmx fragment)',
    handler: async (req, res) => {
      res.set('Cache-Control', 'no-store').type('html').send(await renderSlot(ctx, req, idParam(req)));
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/add',
    right: 'crm.contacts.edit',
    summary: 'Add a client to a static segment from the card (htmx or form)',
    handler: async (req, res) => {
      const id = idParam(req);
      await services(ctx).segments.ofContact(req.user!, id); // 404 unless the contact is visible
      await services(ctx).segments.addMembers(req.user!, segmentOf(req), [id]);
      await answer(ctx, req, res, id);
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/remove',
    right: 'crm.contacts.edit',
    summary: 'Take a client out of a static segment from the card (htmx or form)',
    handler: async (req, res) => {
      const id = idParam(req);
      await services(ctx).segments.ofContact(req.user!, id);
      await services(ctx).segments.removeMembers(req.user!, segmentOf(req), [id]);
      await answer(ctx, req, res, id);
    },
  });
}

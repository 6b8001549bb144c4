/** Moving a contact to the trash, restoring it, and purging it for good (each per its right). */
import type { PluginContext } from '../../../host/api.js';
import { cardServices, flash, idParam, user } from './card-support.js';

export function registerCardTrash(ctx: PluginContext): void {
  ctx.route({
    method: 'post',
    path: '/contacts/:id/delete',
    right: 'crm.contacts.delete',
    summary: 'Moves a contact to the trash',
    handler: async (req, res) => {
      const id = idParam(req);
      await cardServices(ctx).contacts.remove(user(req), id);
      flash(req, 'success', req.t('crm:card.trashed'));
      res.redirect(303, `/crm/contacts/${id}`);
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/restore',
    right: 'crm.contacts.delete',
    summary: 'Restores a contact from the trash',
    handler: async (req, res) => {
      const id = idParam(req);
      const contact = await cardServices(ctx).contacts.restore(user(req), id);
      flash(req, 'success', req.t('crm:card.restored', { name: contact.name }));
      res.redirect(303, `/crm/contacts/${id}`);
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/purge',
    right: 'crm.trash.purge',
    summary: 'Deletes a contact in the trash for good',
    handler: async (req, res) => {
      const s = cardServices(ctx);
      const id = idParam(req);
      const contact = await s.contacts.get(user(req), id, { withDeleted: true });
      await s.contacts.purge(user(req), id);
      flash(req, 'success', req.t('crm:card.purged', { name: contact.name }));
      res.redirect(303, '/crm/contacts');
    },
  });
}

/**
 * The client card page, its header fragment (refreshed after every change, with the tab counts
 * swapped out of band) and the tab bodies loaded on demand. A failing tab answers a small error
 * box in its own pane; the card and the other tabs keep working.
 */
import type { PluginContext } from '../../../host/api.js';
import type { Contact } from '../api.js';
import { redirectMerged } from '../merge/merge-redirects.js';
import { CardLookups } from './card-format.js';
import { headerModel, permissions, tabViews } from './card-header.js';
import { cardServices, idParam, sendFragment, user } from './card-support.js';

export function registerCardView(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/contacts/:id',
    right: 'crm.access',
    summary: 'The client card',
    handler: async (req, res, next) => {
      if (!/^\d+$/.test(String(req.params.id))) return next(); // other /contacts/<word> pages
      const s = cardServices(ctx);
      let contact: Contact;
      try {
        contact = await s.contacts.get(user(req), idParam(req), { withDeleted: true });
      } catch (err) {
        return redirectMerged(ctx, req, res, idParam(req), err, '/crm/contacts'); // a merged contact's old URL
      }
      const [lookups, headers] = await Promise.all([CardLookups.load(s, req), s.tabs.headers(contact, req)]);
      const perms = await permissions(s, req, contact);
      const header = await headerModel(s, req, contact, lookups, perms);
      res.type('html').send(
        await s.views.renderPage(req, 'crm/card', {
          title: contact.name,
          contact: { id: contact.id, name: contact.name, version: contact.version, deleted: Boolean(contact.deleted_at) },
          header,
          tabs: tabViews(contact.id, headers),
          styles: ['/assets/p/crm/card.css'],
          scripts: ['/assets/p/crm/card.js', '/assets/p/crm/photo.js'],
        }),
      );
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/header',
    right: 'crm.access',
    summary: 'The client card header with tab counts (htmx fragment)',
    handler: async (req, res) => {
      const s = cardServices(ctx);
      const contact = await s.contacts.get(user(req), idParam(req), { withDeleted: true });
      const [lookups, headers] = await Promise.all([CardLookups.load(s, req), s.tabs.headers(contact, req)]);
      const header = await headerModel(s, req, contact, lookups, await permissions(s, req, contact));
      sendFragment(res, await s.views.renderPartial(req, 'crm/partials/card-header-fragment', { header, tabs: tabViews(contact.id, headers) }));
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/tabs/:plugin/:tab',
    right: 'crm.access',
    summary: "One tab's body on the client card (htmx fragment)",
    handler: async (req, res) => {
      const s = cardServices(ctx);
      const contact = await s.contacts.get(user(req), idParam(req), { withDeleted: true });
      const html = await s.tabs.body(contact, req, String(req.params.plugin), String(req.params.tab));
      if (html === null) {
        sendFragment(res.set('X-Crm-Tab-Failed', '1'), await s.views.renderPartial(req, 'crm/partials/card-tab-failed', {}));
        return;
      }
      sendFragment(res, html);
    },
  });
}

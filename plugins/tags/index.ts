/**
 * Tags on clients, as a plugin of the CRM: it keeps its own tables, fills `contact.tags`
 * (a contact enricher), and contributes the card header's tag chips, a list column, the "has tag"
 * filter (also `?tag=`), the tag cloud beside the list, mass actions, an administration page
 * and a REST API. It follows merges and purges of contacts through the CRM's events.
 */
import { ContainerModule, adminPages, seeders, type PluginContext } from '../../host/api.js';
import { contactDeleted, contactEnrichers, contactMerged, filterConditions, ioColumns, listActions, listColumns, listPanels, profileHeaderSlots } from '../crm/api.js';
import { TagsTokens, type ContactTagsService } from './api.js';
import { registerApi } from './routes/api.js';
import { headerSlot, registerCardSlot } from './routes/card-slot.js';
import { cloudPanel, listActionsOf, registerListUi, tagsColumn } from './routes/list-ui.js';
import { registerManage } from './routes/manage.js';
import { ContactTagsImpl } from './services/contact-tags.js';
import { seedDemoTags } from './services/demo-tags.js';
import { tagsIoColumn } from './services/tags-io-column.js';
import { hasTagCondition } from './services/has-tag-condition.js';
import { TagsImpl } from './services/tags-service.js';

export function register(ctx: PluginContext): void {
  const contactTags = () => ctx.get<ContactTagsService>(TagsTokens.ContactTags);

  ctx.bind(
    new ContainerModule(({ bind }) => {
      bind(TagsTokens.ContactTags).to(ContactTagsImpl).inSingletonScope();
      bind(TagsTokens.Tags).to(TagsImpl).inSingletonScope();
    }),
  );

  ctx.extend(contactEnrichers, {
    id: 'tags',
    // One query for the whole page of contacts.
    enrich: async (contacts) => {
      const tags = await contactTags().forContacts(contacts.map((c) => c.id));
      for (const c of contacts) c.tags = (tags.get(c.id) ?? []).map((t) => t.name);
    },
  });
  ctx.extend(profileHeaderSlots, headerSlot(ctx));
  ctx.extend(listColumns, tagsColumn(ctx));
  ctx.extend(listPanels, cloudPanel(ctx));
  ctx.extend(filterConditions, hasTagCondition);
  ctx.extend(ioColumns, tagsIoColumn(ctx));
  for (const action of listActionsOf(ctx)) ctx.extend(listActions, action);
  ctx.extend(seeders, { id: 'tags-demo', order: 65, run: (host) => seedDemoTags(host) });
  ctx.extend(adminPages, { id: 'tags', title: 'tags:manage.menu', href: '/tags/manage', icon: 'tags', order: 55, right: 'tags.manage' });

  ctx.on(contactMerged, ({ fromId, intoId, transaction }) => contactTags().repoint(fromId, intoId, transaction));
  ctx.on(contactDeleted, async ({ id, purged }) => {
    if (purged) await contactTags().removeForContact(id);
  });

  registerCardSlot(ctx);
  registerListUi(ctx);
  registerManage(ctx);
  registerApi(ctx);
}

/** The Info tab: every field of the contact, grouped, each editable in place. */
import type { Request } from 'express';
import type { PluginContext } from '../../../host/api.js';
import type { Contact } from '../api.js';
import { fieldsFor, GROUPS } from '../routes/card-fields.js';
import { CardLookups } from '../routes/card-format.js';
import { fieldView } from '../routes/card-editors.js';
import { cardServices } from '../routes/card-support.js';

export async function renderInfoTab(ctx: PluginContext, contact: Contact, req: Request): Promise<string> {
  const s = cardServices(ctx);
  const [lookups, editable] = await Promise.all([CardLookups.load(s, req), contact.deleted_at ? false : s.scope.canEdit(req.user!, contact.id)]);
  const specs = fieldsFor(contact.kind, lookups.customFields, lookups.hiddenFields);
  const groups = [];
  for (const group of GROUPS) {
    const fields = await Promise.all(specs.filter((f) => f.group === group).map((f) => fieldView(f, contact, lookups, editable)));
    if (fields.length) groups.push({ key: group, title: req.t(`crm:card.group.${group}`), fields, wide: group === 'other' || group === 'custom' });
  }
  return s.views.renderPartial(req, 'crm/tabs/info', {
    groups,
    meta: { id: contact.id, createdAt: contact.created_at, updatedAt: contact.updated_at, version: contact.version },
  });
}

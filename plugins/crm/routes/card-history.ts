/**
 * "Restore this value" from the History tab: puts the old value of one change back through
 * ContactsService.update with the version the tab was showing, so it is itself a change in
 * history and a stale tab gets a conflict rather than overwriting someone's newer edit.
 */
import type { PluginContext } from '../../../host/api.js';
import type { Contact } from '../api.js';
import { fieldsFor, restoreInput, specFor } from './card-fields.js';
import { CardLookups } from './card-format.js';
import { historyFilters, renderHistoryTab } from '../tabs/history-tab.js';
import { cardServices, errorMap, formBody, idParam, isHttpError, notFound, sendFragment, user } from './card-support.js';

export function registerCardHistory(ctx: PluginContext): void {
  ctx.route({
    method: 'post',
    path: '/contacts/:id/history/:entryId/restore',
    right: 'crm.contacts.edit',
    body: { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } },
    summary: 'Restores the old value of one change from the History tab',
    handler: async (req, res) => {
      const s = cardServices(ctx);
      const u = user(req);
      const id = idParam(req);
      const entryId = idParam(req, 'entryId');
      const contact = await s.contacts.get(u, id);
      // The newest entry with an id up to this one is this one, if it belongs to the contact.
      const [entry] = await s.history.list(u, id, { before: entryId + 1, limit: 1 });
      if (!entry || entry.id !== entryId || !entry.restorable || !entry.field) throw notFound();
      const body = formBody(req);
      const version = Number(body.version);
      const filters = historyFilters({ field: body.filter_field, action: body.filter_action }, fieldsFor(contact.kind, await s.fields.all()).map((f) => f.key));
      const htmx = req.get('hx-request') === 'true';

      let updated: Contact;
      try {
        updated = await s.contacts.update(u, id, restoreInput(entry.field, entry.old_value), version);
      } catch (err) {
        if (!htmx || !isHttpError(err, 400, 409)) throw err;
        const current = await s.contacts.get(u, id);
        const text = err.status === 409 ? req.t('crm:tabs.history.restore_conflict') : [req.t('crm:tabs.history.restore_failed'), ...Object.values(errorMap(req, err.details))].join(' ');
        return sendFragment(res, await renderHistoryTab(ctx, current, req, { filters, alert: { type: err.status === 409 ? 'warning' : 'danger', text } }), err.status);
      }
      if (!htmx) return res.redirect(303, `/crm/contacts/${id}#tab-crm-history`);
      const spec = specFor(entry.field, await s.fields.all());
      const label = spec ? (await CardLookups.load(s, req)).label(spec) : entry.field;
      const alert = { type: 'success', text: req.t('crm:tabs.history.restored', { field: label }) };
      sendFragment(res, await renderHistoryTab(ctx, updated, req, { filters, alert }), 200, { 'crm:changed': { version: updated.version, from: version, field: entry.field } });
    },
  });
}

/** The Employees tab of a company: its people, with a link that adds one with the company filled in. */
import type { Request } from 'express';
import type { PluginContext } from '../../../host/api.js';
import type { Contact } from '../api.js';
import { CardLookups, mainChannel, telHref } from '../routes/card-format.js';
import { statusBadge } from '../routes/card-header.js';
import { cardServices } from '../routes/card-support.js';

export const EMPLOYEES_SHOWN = 200;

export async function countEmployees(ctx: PluginContext, contact: Contact, req: Request): Promise<number> {
  return (await cardServices(ctx).query.count(req.user!, { company_id: contact.id })).total;
}

export async function renderEmployeesTab(ctx: PluginContext, contact: Contact, req: Request): Promise<string> {
  const s = cardServices(ctx);
  const [page, lookups] = await Promise.all([
    s.query.list(req.user!, { company_id: contact.id, sort: 'name', order: 'asc', limit: EMPLOYEES_SHOWN }),
    CardLookups.load(s, req),
  ]);
  const total = page.next_cursor ? (await s.query.count(req.user!, { company_id: contact.id })).total : page.items.length;
  const people = page.items.map((p) => {
    const email = mainChannel(p.emails);
    const phone = mainChannel(p.phones);
    return {
      id: p.id,
      name: p.name,
      jobTitle: p.job_title,
      email: email?.value ?? null,
      phone: phone ? { text: phone.value, href: telHref(phone.value) } : null,
      status: statusBadge(lookups, p.status_id),
    };
  });
  return s.views.renderPartial(req, 'crm/tabs/employees', {
    companyId: contact.id,
    people,
    total,
    more: total > people.length,
    canCreate: req.user!.can('crm.contacts.create') && !contact.deleted_at,
  });
}

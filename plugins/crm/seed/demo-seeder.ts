/**
 * The first-start demo data: about 200 contacts (companies with their employees and private
 * persons) created through the contacts service as the administrator, so they carry everything
 * a contact created in the browser carries (history, events for other plugins). Creation dates
 * are then spread over the past three years, so the list's date filters and sorts show something.
 */
import type { Sequelize } from 'sequelize';
import { HttpError, type HostServices } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactsService } from '../api.js';
import { actingAdmin, demoRefs } from './demo-context.js';
import { DemoGenerator, type DemoContact } from './generator.js';

export const DEMO_CONTACTS = 200;

async function isEmpty(db: Sequelize): Promise<boolean> {
  const [rows] = await db.query('SELECT id FROM crm_contacts LIMIT 1');
  return !(rows as unknown[]).length;
}

export async function seedDemoContacts(host: HostServices, options: { size?: number; seed?: number; now?: Date } = {}): Promise<string> {
  if (!(await isEmpty(host.db))) return 'the contact base is not empty: no demo contacts added';
  const admin = await actingAdmin(host);
  const contacts = host.get<ContactsService>(CrmTokens.Contacts);
  const generator = new DemoGenerator(options.seed ?? 1, await demoRefs(host), options.now);
  const written: Array<{ id: number; createdAt: Date }> = [];
  const companies: number[] = [];
  let failed = 0;

  const create = async (demo: DemoContact, links: { company_id?: number | null; buyer_id?: number | null }): Promise<Contact | null> => {
    try {
      const contact = await contacts.create(admin, { ...demo.input, ...links });
      written.push({ id: contact.id, createdAt: demo.createdAt });
      return contact;
    } catch (err) {
      // An administrator's own required field, say: skip that contact, keep the rest of the demo.
      if (!(err instanceof HttpError)) throw err;
      failed++;
      host.logger.warn({ err, contact: demo.input }, 'demo contact refused');
      return null;
    }
  };

  for (const unit of generator.units(options.size ?? DEMO_CONTACTS)) {
    let companyId: number | null = null;
    if (unit.company) {
      const back = unit.buyerBack ?? 0;
      const buyer = back > 0 && companies.length >= back ? companies[companies.length - back]! : null;
      companyId = (await create(unit.company, buyer ? { buyer_id: buyer } : {}))?.id ?? null;
      if (companyId) companies.push(companyId);
    }
    for (const person of unit.people) await create(person, companyId ? { company_id: companyId } : {});
  }

  await host.db.transaction(async (transaction) => {
    for (const { id, createdAt } of written) {
      await host.db.query('UPDATE crm_contacts SET created_at = ?, updated_at = ? WHERE id = ?', { replacements: [createdAt, createdAt, id], transaction });
      await host.db.query("UPDATE crm_history SET created_at = ? WHERE contact_id = ? AND action = 'create'", { replacements: [createdAt, id], transaction });
    }
  });
  return `${written.length} demo contacts (${companies.length} companies)${failed ? `, ${failed} refused` : ''}`;
}

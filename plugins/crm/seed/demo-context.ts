/**
 * What demo data is written against: the administrator it is written as, the dictionary items
 * and users it spreads contacts over, and the demo custom fields. Empty dictionaries are fine:
 * the contacts then simply have no status, category, type or source.
 */
import { readCrmSettings } from '../services/crm-settings.js';
import { TOKENS, type CurrentUser, type HostServices, type SettingsStore, type UsersService } from '../../../host/api.js';
import { CrmTokens } from '../api.js';
import type { DictionariesService } from '../services/dictionaries-service.js';
import type { FieldsService } from '../services/fields-service.js';
import type { CountryCode } from '../services/normalize/channels.js';
import { ensureDemoFields } from './demo-fields.js';
import type { DemoRefs } from './generator.js';

/** The configured admin account if it is an active administrator, else the first one by id. */
export async function actingAdmin(host: HostServices): Promise<CurrentUser> {
  const users = host.get<UsersService>(TOKENS.Users);
  const configured = await users.findByEmail(host.config.adminEmail);
  if (configured?.isActive) {
    const user = await users.currentUser(configured.id);
    if (user?.isAdmin) return user;
  }
  for (const record of [...(await users.list())].sort((a, b) => a.id - b.id)) {
    if (!record.isActive) continue;
    const user = await users.currentUser(record.id);
    if (user?.isAdmin) return user;
  }
  throw new Error('There is no active administrator to write the demo data as; create one with "crm users add --admin".');
}

export async function demoRefs(host: HostServices): Promise<DemoRefs> {
  const dictionaries = host.get<DictionariesService>(CrmTokens.Dictionaries);
  const ids = async (name: 'status' | 'category' | 'client_type' | 'source') => (await dictionaries.list(name)).map((i) => i.id);
  const users = (await host.get<UsersService>(TOKENS.Users).list()).filter((u) => u.isActive).map((u) => u.id);
  return {
    statusIds: await ids('status'),
    categoryIds: await ids('category'),
    clientTypeIds: await ids('client_type'),
    sourceIds: await ids('source'),
    userIds: users,
    fields: await ensureDemoFields(host.get<FieldsService>(CrmTokens.Fields)),
  };
}

/** The CRM's default phone country, as the contacts service reads it. */
export async function defaultPhoneCountry(host: HostServices): Promise<CountryCode> {
  return (await readCrmSettings(host.get<SettingsStore>(TOKENS.Settings))).default_phone_country;
}

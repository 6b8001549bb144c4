/**
 * The CRM's settings pages for administrators (right `crm.settings.manage`): custom fields,
 * the four dictionaries and hiding standard fields; listed in the host's Administration menu.
 * Also the demo dictionaries seeded on the first start.
 */
import { adminPages, seeders, type PluginContext } from '../../../host/api.js';
import { SETTINGS_RIGHT } from './settings-common.js';
import { registerDictionarySettings } from './settings-dictionaries.js';
import { registerFieldSettings } from './settings-fields.js';
import { dictionariesSeeder } from './settings-seeder.js';
import { registerStandardFieldSettings } from './settings-standard-fields.js';

export function registerSettingsPages(ctx: PluginContext): void {
  ctx.extend(adminPages, { id: 'crm-fields', title: 'crm:admin.title', href: '/crm/settings/fields', icon: 'ui-checks', order: 50, right: SETTINGS_RIGHT });
  ctx.extend(seeders, dictionariesSeeder);
  registerFieldSettings(ctx);
  registerDictionarySettings(ctx);
  registerStandardFieldSettings(ctx);
}

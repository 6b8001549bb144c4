/**
 * On the first start of an empty database: the Administrators and Staff groups, the admin account
 * (CRM_ADMIN_EMAIL / CRM_ADMIN_PASSWORD), then every plugin's demo data. Runs once: a setting
 * remembers it, so restarts and other instances never seed twice.
 */
import { TOKENS, seeders, type ExtensionRegistry, type GroupsService, type HostConfig, type HostServices, type RightsRegistry, type SettingsStore, type UsersService } from '../api.js';

export async function seedFirstStart(services: HostServices, extensions: ExtensionRegistry, config: HostConfig): Promise<boolean> {
  const settings = services.get<SettingsStore>(TOKENS.Settings);
  if (await settings.get<string>('host', 'seeded_at')) return false;
  const users = services.get<UsersService>(TOKENS.Users);
  const groups = services.get<GroupsService>(TOKENS.Groups);
  const rights = services.get<RightsRegistry>(TOKENS.Rights);

  const admins = (await groups.findByName('Administrators')) ?? (await groups.create({ name: 'Administrators', isAdmin: true }));
  if (!(await groups.findByName('Staff'))) {
    // Staff may open every app but administer nothing.
    await groups.create({ name: 'Staff', rights: rights.all().filter((r) => r.id.endsWith('.access')).map((r) => r.id) });
  }
  if (!(await users.findByEmail(config.adminEmail))) {
    await users.create({ email: config.adminEmail, password: config.adminPassword, name: 'Administrator', groups: [admins.id] });
  }
  await settings.set('host', 'seeded_at', new Date().toISOString());
  if (config.seedDemo) {
    for (const seeder of extensions.list(seeders)) {
      const summary = await seeder.run(services, {});
      services.logger.info({ plugin: seeder.pluginId, seeder: seeder.id }, summary || 'demo data seeded');
    }
  }
  return true;
}

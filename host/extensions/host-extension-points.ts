import { adminPages, cliCommands, groupExtensions, menuItems, seeders } from '../api.js';
import type { ExtensionRegistryImpl } from './extension-registry.js';

/** The slots the host itself owns: the apps menu, admin pages, CLI commands, demo seeders and group settings. */
export function registerHostExtensionPoints(registry: ExtensionRegistryImpl): void {
  for (const point of [menuItems, adminPages, cliCommands, seeders, groupExtensions]) registry.declare('host', point);
  registry.contribute('host', adminPages, { id: 'plugins', title: 'host:admin.plugins', href: '/admin/plugins', icon: 'plug', order: 10, right: 'host.plugins.manage' });
  registry.contribute('host', adminPages, { id: 'users', title: 'host:admin.users', href: '/admin/users', icon: 'person', order: 20, right: 'host.users.manage' });
  registry.contribute('host', adminPages, { id: 'groups', title: 'host:admin.groups', href: '/admin/groups', icon: 'people', order: 30, right: 'host.users.manage' });
}

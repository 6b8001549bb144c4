/** Every right the host and the loaded plugins declare, each with its i18n label. */
import type { PluginManifest, RightDefinition, RightsRegistry } from '../api.js';

export const HOST_RIGHTS: RightDefinition[] = [
  { id: 'host.users.manage', label: 'host:rights.users_manage', pluginId: 'host' },
  { id: 'host.plugins.manage', label: 'host:rights.plugins_manage', pluginId: 'host' },
];

export class RightsRegistryImpl implements RightsRegistry {
  private readonly rights = new Map<string, RightDefinition>(HOST_RIGHTS.map((r) => [r.id, r]));

  addPlugin(manifest: PluginManifest): void {
    const access = `${manifest.id}.access`;
    this.rights.set(access, { id: access, label: 'host:rights.plugin_access', pluginId: manifest.id });
    for (const r of manifest.rights ?? []) this.rights.set(r.id, { id: r.id, label: r.label, pluginId: manifest.id });
  }

  all(): RightDefinition[] {
    return [...this.rights.values()];
  }

  has(id: string): boolean {
    return this.rights.has(id);
  }
}

/** `crm plugins list|enable|disable|uninstall`: the plugin lifecycle, kept in the database. */
import type { Command } from 'commander';
import type { PluginInfo } from '../../api.js';
import type { Host } from '../../boot.js';
import { say, withHost } from '../cli-host.js';
import { table } from '../output.js';

function row(host: Host, p: PluginInfo): string[] {
  const inactive = p.state === 'enabled' && !host.plugins.isEnabled(p.id);
  const error = p.error ?? (inactive ? say(host, 'host:plugins.inactive_dependency') : '');
  return [p.id, p.version ?? '-', p.state, error];
}

export function registerPlugins(program: Command): void {
  const plugins = program.command('plugins').description('list, enable and disable plugins');

  plugins
    .command('list')
    .description('every plugin found, with its version, state and error')
    .action(() =>
      withHost(async (host) => {
        const list = host.plugins.list();
        if (!list.length) return void console.log(say(host, 'host:plugins.none'));
        console.log(table(['ID', 'VERSION', 'STATE', 'ERROR'], list.map((p) => row(host, p))));
      }),
    );

  for (const action of ['enable', 'disable'] as const) {
    plugins
      .command(`${action} <id>`)
      .description(`${action} a plugin (kept in the database; running servers follow within seconds)`)
      .action((id: string) =>
        withHost(async (host) => {
          await host.plugins[action](id);
          console.log(say(host, `host:plugins.${action}d`, { id }));
        }),
      );
  }

  plugins
    .command('uninstall <id>')
    .description("roll back a plugin's migrations (its tables and data are deleted) and mark it uninstalled")
    .action((id: string) =>
      withHost(async (host) => {
        await host.plugins.uninstall(id);
        console.log(say(host, 'host:plugins.uninstalled', { id }));
      }),
    );
}

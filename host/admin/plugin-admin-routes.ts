/** The plugins page and API: state, version, dependencies and error, with enable and disable. */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, type FieldError, type HostServices, type PluginInfo, type PluginManager, type SettingsStore, type ViewRenderer } from '../api.js';
import { flash } from '../http/authenticate.js';
import { translateDetails } from '../http/errors.js';
import type { RouteRegistry } from '../http/route-registry.js';
import { pluginSettings, properties, readSettingsForm, settingsScope } from '../plugins/plugin-settings.js';
import type { Validator } from '../validation/validator.js';

const RIGHT = 'host.plugins.manage';

function pluginJson(p: PluginInfo, withError: boolean) {
  return { id: p.id, name: p.name, version: p.version, state: p.state, enabled: p.state === 'enabled', dependencies: p.dependencies, ...(withError ? { error: p.error } : {}) };
}

function label(req: Request, name: PluginInfo['name']): string {
  return typeof name === 'string' ? (req.t(name, { defaultValue: name }) as string) : (name[req.language] ?? name.en ?? '');
}

export function registerPluginAdminRoutes(routes: RouteRegistry, services: HostServices): void {
  const plugins = () => services.get<PluginManager>(TOKENS.Plugins);
  const views = () => services.get<ViewRenderer>(TOKENS.Views);

  routes.add('host', { method: 'get', path: '/admin', handler: (req, res) => res.redirect(req.user!.can(RIGHT) ? '/admin/plugins' : '/admin/users') });

  routes.add('host', {
    method: 'get',
    path: '/admin/plugins',
    right: RIGHT,
    handler: async (req, res) => {
      const manager = plugins();
      const list = manager.list().map((p) => ({
        ...p,
        label: label(req, p.name),
        active: manager.isEnabled(p.id),
        dependencyList: Object.entries(p.dependencies).map(([id, range]) => ({ id, range, ok: manager.isEnabled(id) })),
        canEnable: p.state === 'disabled' || p.state === 'uninstalled',
        canDisable: p.state === 'enabled',
        canUninstall: p.state === 'disabled',
      }));
      const problems = (manager as PluginManager & { problems?: string[] }).problems ?? [];
      res.type('html').send(await views().renderPage(req, 'host/admin/plugins', { title: req.t('host:admin.plugins'), plugins: list, problems }));
    },
  });

  for (const action of ['enable', 'disable'] as const) {
    routes.add('host', {
      method: 'post',
      path: `/admin/plugins/:id/${action}`,
      right: RIGHT,
      handler: async (req, res) => {
        const id = String(req.params.id);
        await plugins()[action](id);
        flash(req, 'success', req.t(`host:plugins.${action}d`, { id }));
        res.redirect('/admin/plugins');
      },
    });
    routes.add('host', {
      method: 'post',
      path: `/plugins/:id/${action}`,
      api: true,
      right: RIGHT,
      summary: `${action === 'enable' ? 'Enable' : 'Disable'} a plugin at run time`,
      handler: async (req, res) => {
        const manager = plugins();
        await manager[action](String(req.params.id));
        res.json(pluginJson(manager.get(String(req.params.id))!, true));
      },
    });
  }

  routes.add('host', {
    method: 'post',
    path: '/admin/plugins/:id/uninstall',
    right: RIGHT,
    handler: async (req, res) => {
      const id = String(req.params.id);
      await plugins().uninstall(id);
      flash(req, 'success', req.t('host:plugins.uninstalled', { id }));
      res.redirect('/admin/plugins');
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/plugins/:id/uninstall',
    api: true,
    right: RIGHT,
    summary: "Uninstall a plugin: roll back its migrations (its tables and data are deleted)",
    handler: async (req, res) => {
      const manager = plugins();
      await manager.uninstall(String(req.params.id));
      res.json(pluginJson(manager.get(String(req.params.id))!, true));
    },
  });

  const settingsForm = async (req: Request, res: Response, plugin: PluginInfo, values: Record<string, unknown>, errors: FieldError[] = []) => {
    const messages = new Map((translateDetails(req, errors) as Array<{ field: string; message: string }>).map((e) => [e.field, e.message]));
    const fields = Object.entries(properties(plugin.settings)).map(([key, prop]) => ({
      key,
      label: req.t(prop.title ?? key, { defaultValue: prop.title ?? key }),
      description: prop.description ? req.t(prop.description, { defaultValue: prop.description }) : null,
      kind: prop.enum ? 'select' : prop.type === 'boolean' ? 'checkbox' : prop.type === 'integer' || prop.type === 'number' ? 'number' : 'text',
      value: values[key] ?? '',
      checked: values[key] === true,
      options: (prop.enum ?? []).map((o) => ({ value: String(o), selected: String(o) === String(values[key] ?? '') })),
      min: prop.minimum,
      max: prop.maximum,
      error: messages.get(key) ?? null,
    }));
    res.status(errors.length ? 400 : 200).type('html').send(
      await views().renderPage(req, 'host/admin/plugin-settings', { title: `${label(req, plugin.name)} · ${req.t('host:plugins.settings')}`, plugin, fields }),
    );
  };

  const configurable = (req: Request): PluginInfo => {
    const plugin = plugins().get(String(req.params.id));
    if (!plugin?.settings) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    return plugin;
  };

  routes.add('host', {
    method: 'get',
    path: '/admin/plugins/:id/settings',
    right: RIGHT,
    handler: async (req, res) => {
      const plugin = configurable(req);
      await settingsForm(req, res, plugin, await pluginSettings(services, plugin.id, plugin.settings));
    },
  });

  routes.add('host', {
    method: 'post',
    path: '/admin/plugins/:id/settings',
    right: RIGHT,
    handler: async (req, res) => {
      const plugin = configurable(req);
      const { values, errors } = readSettingsForm(plugin.settings!, req.body as Record<string, unknown>, services.get<Validator>(TOKENS.Validation));
      if (errors.length) return settingsForm(req, res, plugin, values, errors);
      await services.get<SettingsStore>(TOKENS.Settings).set(settingsScope(plugin.id), 'settings', values);
      flash(req, 'success', req.t('host:plugins.settings_saved'));
      res.redirect('/admin/plugins');
    },
  });

  routes.add('host', {
    method: 'get',
    path: '/plugins',
    api: true,
    summary: 'Installed plugins with their state',
    handler: (req, res) => {
      const withError = req.user!.can(RIGHT);
      res.json({ items: plugins().list().map((p) => pluginJson(p, withError)) });
    },
  });
}

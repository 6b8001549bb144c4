/** The start page: the apps the user may open, as tiles. */
import { TOKENS, menuItems, type ExtensionRegistry, type HostServices, type ViewRenderer } from '../api.js';
import type { RouteRegistry } from './route-registry.js';

export function registerHomeRoutes(routes: RouteRegistry, services: HostServices): void {
  routes.add('host', {
    method: 'get',
    path: '/',
    handler: async (req, res) => {
      const apps = services.get<ExtensionRegistry>(TOKENS.Extensions).list(menuItems, req.user);
      res.type('html').send(await services.get<ViewRenderer>(TOKENS.Views).renderPage(req, 'host/home', { title: req.t('host:home.title'), apps }));
    },
  });
}

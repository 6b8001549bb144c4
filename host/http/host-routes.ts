/** The kernel's own routes: sign-in, home, administration, jobs and the OpenAPI document. */
import { TOKENS, type ExtensionRegistry, type HostConfig, type HostServices, type PluginManager } from '../api.js';
import { registerGroupAdminRoutes } from '../admin/group-admin-routes.js';
import { registerPluginAdminRoutes } from '../admin/plugin-admin-routes.js';
import { registerUserAdminRoutes } from '../admin/user-admin-routes.js';
import { registerAuthRoutes } from '../auth/auth-routes.js';
import type { ApiTokens } from '../auth/api-tokens.js';
import { registerJobRoutes } from '../jobs/job-routes.js';
import { registerHomeRoutes } from './home-routes.js';
import { openApiDocument } from './openapi.js';
import type { RouteRegistry } from './route-registry.js';

export interface HostRouteDeps {
  routes: RouteRegistry;
  extensions: ExtensionRegistry;
  services: HostServices;
  tokens: ApiTokens;
  config: HostConfig;
}

export function registerHostRoutes({ routes, services, tokens }: HostRouteDeps): void {
  registerAuthRoutes(routes, services, tokens);
  registerHomeRoutes(routes, services);
  registerPluginAdminRoutes(routes, services);
  registerUserAdminRoutes(routes, services);
  registerGroupAdminRoutes(routes, services);
  registerJobRoutes(routes, services);
  routes.add('host', {
    method: 'get',
    path: '/openapi.json',
    api: true,
    public: true,
    summary: 'This document',
    handler: (_req, res) => res.json(openApiDocument(routes, (id) => services.get<PluginManager>(TOKENS.Plugins).isEnabled(id))),
  });
}

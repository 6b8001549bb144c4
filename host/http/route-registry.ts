/**
 * Every route of the host and the plugins, declared with the right it needs. The HTTP layer
 * mounts them from here, and the same list is the route inventory that access tests walk.
 */
import type { RouteDefinition, RouteInfo } from '../api.js';

export interface RegisteredRoute extends RouteDefinition {
  pluginId: string;
  fullPath: string;
}

export class RouteRegistry {
  private readonly routes: RegisteredRoute[] = [];

  add(pluginId: string, def: RouteDefinition): void {
    if (!def.path.startsWith('/')) throw new Error(`Route path "${def.path}" of plugin "${pluginId}" must start with "/"`);
    const fullPath = def.api ? `/api/v1${def.path}` : pluginId === 'host' ? def.path : `/${pluginId}${def.path === '/' ? '' : def.path}`;
    const clash = this.routes.find((r) => r.method === def.method && r.fullPath === fullPath);
    if (clash) throw new Error(`Route ${def.method.toUpperCase()} ${fullPath} of "${pluginId}" is already declared by "${clash.pluginId}"`);
    this.routes.push({ ...def, pluginId, fullPath });
  }

  forget(pluginId: string): void {
    for (let i = this.routes.length - 1; i >= 0; i--) if (this.routes[i]!.pluginId === pluginId) this.routes.splice(i, 1);
  }

  all(): readonly RegisteredRoute[] {
    return this.routes;
  }

  inventory(): RouteInfo[] {
    return this.routes.map((r) => ({
      pluginId: r.pluginId,
      method: r.method,
      path: r.fullPath,
      api: Boolean(r.api),
      access: r.public ? 'public' : (r.right ?? 'user'),
    }));
  }
}

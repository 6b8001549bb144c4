import type { PluginContext } from '../../../../host/api.js';

// Being written.
export function registerApiRoutes(_ctx: PluginContext): void {}

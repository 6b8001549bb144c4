import type { PluginContext } from '../../../host/api.js';

// Being written.
export function registerCrmCli(_ctx: PluginContext): void {}

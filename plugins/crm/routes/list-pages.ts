import type { PluginContext } from '../../../host/api.js';

// Being written.
export function registerListPages(_ctx: PluginContext): void {}

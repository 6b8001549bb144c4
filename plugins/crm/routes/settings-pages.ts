import type { PluginContext } from '../../../host/api.js';

// Being written.
export function registerSettingsPages(_ctx: PluginContext): void {}

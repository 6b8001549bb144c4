import type { PluginContext } from '../../../host/api.js';

// Being written.
export function registerCoreTabs(_ctx: PluginContext): void {}

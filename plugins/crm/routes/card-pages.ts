import type { PluginContext } from '../../../host/api.js';

// Being written.
export function registerCardPages(_ctx: PluginContext): void {}

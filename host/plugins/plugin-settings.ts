/**
 * Plugin settings: the manifest's `settings` JSON Schema describes them, administrators edit them
 * on a generated form, and they are kept in the settings store under `plugin:<id>`.
 */
import { TOKENS, type FieldError, type HostServices, type JsonSchema, type SettingsStore } from '../api.js';
import type { Validator } from '../validation/validator.js';

export const settingsScope = (pluginId: string) => `plugin:${pluginId}`;

/** Saved values over the schema's defaults. */
export async function pluginSettings<T extends Record<string, unknown>>(host: HostServices, pluginId: string, schema: JsonSchema | null): Promise<T> {
  const saved = (await host.get<SettingsStore>(TOKENS.Settings).get<Record<string, unknown>>(settingsScope(pluginId), 'settings')) ?? {};
  const values: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(properties(schema))) if (prop.default !== undefined) values[key] = prop.default;
  return { ...values, ...saved } as T;
}

export interface SettingsProperty {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

export function properties(schema: JsonSchema | null): Record<string, SettingsProperty> {
  return ((schema?.properties as Record<string, SettingsProperty> | undefined) ?? {});
}

/** Turns a posted form into typed values (checkboxes absent when off) and validates them. */
export function readSettingsForm(schema: JsonSchema, body: Record<string, unknown>, validator: Validator): { values: Record<string, unknown>; errors: FieldError[] } {
  const values: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(properties(schema))) {
    const raw = body[key];
    if (prop.type === 'boolean') values[key] = raw === 'on' || raw === 'true';
    else if (raw !== undefined && raw !== '') values[key] = raw;
  }
  const errors = validator.validate(schema, values, true);
  return { values, errors };
}

/** The CRM's settings (manifest `settings` schema) with their defaults: the one place that reads them. */
import type { SettingsStore } from '../../../host/api.js';
import { DEFAULT_PHONE_COUNTRY, type CountryCode } from './normalize/channels.js';

export interface CrmSettings {
  default_phone_country: CountryCode;
  exact_count_limit: number;
  /** Rows an import file may have at most. */
  import_row_limit: number;
}

export async function readCrmSettings(settings: SettingsStore): Promise<CrmSettings> {
  const saved = (await settings.get<Record<string, unknown>>('plugin:crm', 'settings')) ?? {};
  return {
    default_phone_country: (saved.default_phone_country as CountryCode | undefined) ?? DEFAULT_PHONE_COUNTRY,
    exact_count_limit: Number(saved.exact_count_limit ?? 10_000),
    import_row_limit: Number(saved.import_row_limit ?? 1_000_000),
  };
}

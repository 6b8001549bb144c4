/**
 * The CRM's statuses, read through its dictionaries service by token. The CRM's api.ts has the
 * token and the item type but not the service's interface, so this names the one method used.
 */
import type { DictionaryItem } from '../../crm/api.js';

export interface StatusDictionary {
  list(dictionary: 'status', includeInactive?: boolean): Promise<DictionaryItem[]>;
}

/** The status's name in the language, else its base name (as the CRM shows it). */
export const statusLabel = (item: DictionaryItem, language: string): string => item.labels[language] || item.name;

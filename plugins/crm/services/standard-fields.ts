/**
 * Standard contact fields an administrator may hide. They are never deleted or renamed (the
 * data, the API and imports keep them); hiding only removes them from the card, the forms and
 * the list. The choice is one setting: `plugin:crm` / `hidden_fields`, an array of field ids.
 */
import type { SettingsStore } from '../../../host/api.js';

export const STANDARD_FIELDS_SCOPE = 'plugin:crm';
export const HIDDEN_FIELDS_KEY = 'hidden_fields';

export type StandardFieldKind = 'person' | 'company' | 'both';

export interface StandardField {
  /** The contact property (as in the API), e.g. `job_title`, `source_id`. */
  id: string;
  /** Which contacts have it. */
  applies: StandardFieldKind;
  /** A Bootstrap Icons name for the settings page. */
  icon: string;
}

/** The fields that may be hidden, in the order the card shows them. */
export const HIDEABLE_STANDARD_FIELDS: readonly StandardField[] = [
  { id: 'middle_name', applies: 'person', icon: 'person' },
  { id: 'job_title', applies: 'person', icon: 'briefcase' },
  { id: 'birthday', applies: 'person', icon: 'cake2' },
  { id: 'photo_url', applies: 'both', icon: 'person-square' },
  { id: 'messengers', applies: 'both', icon: 'chat-dots' },
  { id: 'websites', applies: 'both', icon: 'globe' },
  { id: 'domains', applies: 'company', icon: 'at' },
  { id: 'addresses', applies: 'both', icon: 'geo-alt' },
  { id: 'tax_ids', applies: 'both', icon: 'file-earmark-text' },
  { id: 'source_id', applies: 'both', icon: 'signpost-split' },
  { id: 'client_type_id', applies: 'both', icon: 'person-badge' },
  { id: 'category_id', applies: 'both', icon: 'tags' },
  { id: 'buyer_id', applies: 'company', icon: 'building-check' },
  { id: 'comment', applies: 'both', icon: 'chat-left-text' },
  { id: 'external_id', applies: 'both', icon: 'link-45deg' },
];

/** Ids of the fields that may be hidden. */
export const HIDEABLE_FIELD_IDS: readonly string[] = HIDEABLE_STANDARD_FIELDS.map((f) => f.id);

/** Fields every contact shows: the name, the main channels, status and the responsible user. */
export const ALWAYS_SHOWN_FIELDS: readonly StandardField[] = [
  { id: 'name', applies: 'both', icon: 'person-vcard' },
  { id: 'company_id', applies: 'person', icon: 'building' },
  { id: 'emails', applies: 'both', icon: 'envelope' },
  { id: 'phones', applies: 'both', icon: 'telephone' },
  { id: 'status_id', applies: 'both', icon: 'flag' },
  { id: 'responsible_id', applies: 'both', icon: 'person-check' },
];

/** The hidden standard fields; unknown names (e.g. from an older version) are ignored. */
export async function hiddenStandardFields(settings: SettingsStore): Promise<Set<string>> {
  const stored = await settings.get<unknown>(STANDARD_FIELDS_SCOPE, HIDDEN_FIELDS_KEY);
  const list = Array.isArray(stored) ? stored : [];
  return new Set(list.filter((x): x is string => typeof x === 'string' && HIDEABLE_FIELD_IDS.includes(x)));
}

/** Saves which fields are hidden; only hideable ids are kept, in a stable order. */
export async function setHiddenStandardFields(settings: SettingsStore, ids: Iterable<string>): Promise<string[]> {
  const wanted = new Set(ids);
  const list = HIDEABLE_FIELD_IDS.filter((id) => wanted.has(id));
  await settings.set(STANDARD_FIELDS_SCOPE, HIDDEN_FIELDS_KEY, list);
  return list;
}

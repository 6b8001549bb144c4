/**
 * The CRM's public surface: what other plugins may import. Tokens of its services, the contact
 * types, the extension points of its screens (profile tabs, header actions, list actions, list
 * columns, filter conditions, segment sources, contact classes, field types, import/export
 * columns) and the contact events.
 */
import type { Request } from 'express';
import type { Transaction } from 'sequelize';
import { defineEvent, defineExtensionPoint, type Contribution, type CurrentUser } from '../../host/api.js';

export const CrmTokens = {
  Contacts: Symbol.for('crm.Contacts'),
  ContactQuery: Symbol.for('crm.ContactQuery'),
  Scope: Symbol.for('crm.Scope'),
  History: Symbol.for('crm.History'),
  Fields: Symbol.for('crm.Fields'),
  Dictionaries: Symbol.for('crm.Dictionaries'),
  Notes: Symbol.for('crm.Notes'),
  ProfileTabs: Symbol.for('crm.ProfileTabs'),
} as const;

// ---------------------------------------------------------------------------------------------
// Contacts

export type ContactKind = 'person' | 'company';
export type ChannelType = 'email' | 'phone' | 'messenger' | 'website' | 'domain' | 'tax_id';

export interface Channel {
  value: string;
  label?: string | null;
  primary?: boolean;
  /** Emails: consent to mailings. */
  consent?: boolean;
}

export interface Address {
  label?: string | null;
  country?: string | null;
  region?: string | null;
  city?: string | null;
  zip?: string | null;
  street?: string | null;
}

export interface TaxId {
  type: 'nip' | 'regon' | 'pesel' | 'inn' | 'edrpou' | 'vat_eu';
  value: string;
}

export interface Messenger {
  type: 'skype' | 'whatsapp' | 'telegram';
  value: string;
}

/** A contact as the API returns it (DESIGN.md section 6). */
export interface Contact {
  id: number;
  kind: ContactKind;
  name: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  company_name: string | null;
  job_title: string | null;
  company_id: number | null;
  buyer_id: number | null;
  emails: Channel[];
  phones: Channel[];
  messengers: Messenger[];
  websites: Channel[];
  domains: string[];
  addresses: Address[];
  tax_ids: TaxId[];
  status_id: number | null;
  category_id: number | null;
  client_type_id: number | null;
  source_id: number | null;
  class_id: number | null;
  responsible_id: number | null;
  is_staff: boolean;
  user_id: number | null;
  birthday: string | null;
  comment: string | null;
  /** The contact's id in another program; imports find duplicates and companies by it. */
  external_id: string | null;
  photo_url: string | null;
  tags: string[];
  custom: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Writable fields; every one optional on update. */
export type ContactInput = Partial<
  Omit<Contact, 'id' | 'name' | 'version' | 'created_at' | 'updated_at' | 'deleted_at' | 'tags' | 'photo_url'>
>;

export interface ContactsService {
  get(user: CurrentUser, id: number, options?: { withDeleted?: boolean }): Promise<Contact>;
  create(user: CurrentUser, input: ContactInput & { kind: ContactKind }, options?: { transaction?: Transaction }): Promise<Contact>;
  /** `version` must match the stored one, or 409 with the current values. */
  update(user: CurrentUser, id: number, input: ContactInput, version: number, options?: { transaction?: Transaction }): Promise<Contact>;
  /** Moves to the trash. */
  remove(user: CurrentUser, id: number): Promise<void>;
  restore(user: CurrentUser, id: number): Promise<Contact>;
  purge(user: CurrentUser, id: number): Promise<void>;
}

/** One condition of the contact list, a dynamic segment or a statistic. */
export interface FilterValue {
  [key: string]: unknown;
}

export interface ListQuery {
  q?: string;
  kind?: ContactKind;
  status_id?: number[];
  category_id?: number[];
  responsible_id?: number[];
  class_id?: number[];
  created_from?: string;
  created_to?: string;
  has_email?: boolean;
  has_phone?: boolean;
  company_id?: number;
  trash?: boolean;
  /** `custom.<key>` filters: exact value, or {from, to} for numbers, money and dates. */
  custom?: Record<string, unknown>;
  /** Conditions contributed by plugins: `<pluginId>.<conditionId>` -> its value. */
  conditions?: Record<string, FilterValue>;
  sort?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
  cursor?: string;
}

export interface ListResult {
  items: Contact[];
  next_cursor: string | null;
  total: number | null;
  /** True when the total is capped (large bases): "more than N". */
  total_capped: boolean;
}

export interface ContactQueryService {
  list(user: CurrentUser, query: ListQuery): Promise<ListResult>;
  count(user: CurrentUser, query: ListQuery): Promise<{ total: number; capped: boolean }>;
  /** Ids of every contact matching (for "select all that match"), within the access scope. */
  ids(user: CurrentUser, query: ListQuery, limit?: number): Promise<number[]>;
  /**
   * Filter parameters as `GET /api/v1/contacts` takes them (`q`, `kind`, `status_id`, ...,
   * `custom.<key>`, `condition.<plugin>.<id>` as JSON, or a condition's plain parameter such as
   * `tag` or `segment_id`) as a ListQuery, with the API's own checks and conversion: 400 with
   * per-field details for a bad one. For saved filters (dynamic segments, exports).
   */
  fromParams(params: Record<string, string | string[]>): ListQuery;
  /**
   * The filters of a query as one SQL condition over `crm_contacts` aliased `c`, WITHOUT the
   * access scope and the trash rule: for a saved filter that another contact query embeds as a
   * condition (the outer query applies both). Conditions of every enabled plugin apply, whoever
   * asks. 400 for a bad filter (unknown field or condition, invalid value).
   */
  filterSql(query: ListQuery): Promise<{ sql: string; params: unknown[] }>;
}

/** A scope resolved for one query. */
export interface ResolvedScope {
  sql: string;
  params: unknown[];
  /**
   * No rule restricts this user: they see every contact that is not merged away (administrators,
   * or no contact-class plugin limits them). Queries may then skip checking each contact.
   */
  unrestricted: boolean;
}

/** The one chokepoint for row access: turns the current user into a SQL condition on `alias`. */
export interface ContactScope {
  /** A SQL boolean expression over the contacts table aliased as `alias`, with its replacements. */
  condition(user: CurrentUser, alias?: string): { sql: string; params: unknown[] };
  /**
   * The same contacts as `condition`, with the rules' lookups resolved to constants for this one
   * query (never cached): what the list, its counts and other large scans should use.
   */
  resolvedCondition(user: CurrentUser, alias?: string): Promise<ResolvedScope>;
  /** Throws 404 when the user may not see the contact (never reveals that it exists). */
  assertVisible(user: CurrentUser, contactId: number): Promise<void>;
  canEdit(user: CurrentUser, contactId: number): Promise<boolean>;
}

export interface HistoryEntry {
  id: number;
  contact_id: number;
  user_id: number | null;
  user_name: string | null;
  action: string;
  field: string | null;
  old_value: unknown;
  new_value: unknown;
  created_at: string;
  restorable: boolean;
}

export interface HistoryWriter {
  /** Writes changes in the caller's transaction; the same transaction as the contact write. */
  record(
    entries: Array<{ contactId: number; action: string; field?: string | null; oldValue?: unknown; newValue?: unknown }>,
    userId: number | null,
    transaction: Transaction,
  ): Promise<void>;
  list(user: CurrentUser, contactId: number, filter?: { field?: string; action?: string; limit?: number; before?: number }): Promise<HistoryEntry[]>;
  count(user: CurrentUser, contactId: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Custom fields and dictionaries

export type FieldType = 'text' | 'long_text' | 'number' | 'money' | 'date' | 'select' | 'multi_select' | 'checkbox' | 'url' | 'email' | 'phone';

export interface FieldDefinition {
  id: number;
  key: string;
  type: FieldType;
  labels: Record<string, string>;
  required: boolean;
  sort: number;
  in_list: boolean;
  options: string[];
  active: boolean;
}

export type DictionaryName = 'status' | 'category' | 'client_type' | 'source';

export interface DictionaryItem {
  id: number;
  dictionary: DictionaryName;
  name: string;
  labels: Record<string, string>;
  color: string | null;
  sort: number;
  active: boolean;
}

// ---------------------------------------------------------------------------------------------
// Extension points

export interface ProfileTab extends Contribution {
  /** i18n key of the tab's title. */
  title: string;
  /** Shown for this contact? (e.g. Employees only for companies) */
  applies?(contact: Contact): boolean;
  /** The number shown on the tab header; loaded with the page under a timeout. */
  count?(contact: Contact, req: Request): Promise<number | null>;
  /** The tab's body (HTML, escaped by the plugin's own view); loaded on demand from its own URL. */
  render(contact: Contact, req: Request): Promise<string>;
}

export interface ProfileAction extends Contribution {
  title: string;
  icon?: string;
  /** Where the action leads; may use the contact. */
  href(contact: Contact): string;
  applies?(contact: Contact): boolean;
}

/** A small piece of the card header (tags, access, ...) rendered by another plugin. */
export interface ProfileHeaderSlot extends Contribution {
  render(contact: Contact, req: Request): Promise<string>;
}

/**
 * Adds data another plugin owns to contacts as they are loaded (e.g. `tags`), for a whole page
 * of contacts at once. Mutates the given contacts.
 */
export interface ContactEnricher extends Contribution {
  enrich(contacts: Contact[]): Promise<void>;
}

export interface ListColumn extends Contribution {
  title: string;
  /** Sort key for `sort=`; omit when the column cannot be sorted. */
  sortable?: boolean;
  /** Values for a page of contacts at once (no N+1). */
  values(contacts: Contact[], req: Request): Promise<Map<number, string>>;
}

export interface FilterCondition extends Contribution {
  /** i18n key. */
  title: string;
  /** JSON Schema of the value the user fills in. */
  schema: Record<string, unknown>;
  /**
   * A SQL boolean expression over the contacts table aliased as `alias`, e.g.
   * `EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = c.id AND ...)`.
   */
  sql(value: FilterValue, alias: string): { sql: string; params: unknown[] };
  /** Renders the value for the list's filter chips. */
  describe?(value: FilterValue, req: Request): string;
  /**
   * A plain query parameter for this condition in the list URL and API (DESIGN's `tag`,
   * `segment_id`): `value` turns its raw values into the condition's value.
   */
  param?: { name: string; value(raw: string[]): FilterValue };
}

/** A panel beside the client list (e.g. the tag cloud), rendered by another plugin. */
export interface ListPanel extends Contribution {
  render(req: Request): Promise<string>;
}

export interface ListAction extends Contribution {
  title: string;
  icon?: string;
  /** JSON Schema of `params`, checked before `run`; the list builds the action's form from it. */
  schema?: Record<string, unknown>;
  /**
   * A page of this site that does the action on the user's selection instead of the list's form
   * (the list posts the selection's form there), for actions that need a screen of their own
   * (merge, export). `run` still serves the API.
   */
  href?: string;
  /**
   * Runs on ids already limited by the access scope. An action with `href` may leave it out when
   * it means nothing over the API (export has an API of its own): the API then neither lists nor
   * runs it.
   */
  run?(user: CurrentUser, ids: number[], params: Record<string, unknown>): Promise<{ changed: number }>;
}

export interface SegmentSource extends Contribution {
  title: string;
  /** Contact ids of the segment, within the access scope the caller applies. */
  sql(params: Record<string, unknown>, alias: string): { sql: string; params: unknown[] };
}

export interface ContactClassRule extends Contribution {
  /**
   * A restriction of what the user may see, as a SQL condition on the contacts table aliased as
   * `alias`, or null when this rule does not restrict the user. Every rule must hold.
   */
  condition(user: CurrentUser, alias: string): { sql: string; params: unknown[] } | null;
  /**
   * The same restriction with the rule's own lookups (grants, settings) read now and written as
   * constants, so the database can use indexes on the contacts' columns. It must select exactly
   * the contacts `condition` selects at this moment. Optional: `condition` is used without it.
   */
  resolve?(user: CurrentUser, alias: string): Promise<{ sql: string; params: unknown[] } | null>;
  /** Whether the user may edit a contact they can see; every rule must agree. */
  canEdit?(user: CurrentUser, contact: { id: number; class_id: number | null; responsible_id: number | null; is_staff: boolean }): Promise<boolean>;
}

export interface FieldTypeContribution extends Contribution {
  /** JSON Schema of a value of this type. */
  schema: Record<string, unknown>;
}

/** Fields of a contact's own row that an export column can ask for (`IoColumn.reads`). */
export type ContactRowField =
  | 'kind'
  | 'name'
  | 'first_name'
  | 'middle_name'
  | 'last_name'
  | 'company_name'
  | 'job_title'
  | 'company_id'
  | 'status_id'
  | 'category_id'
  | 'client_type_id'
  | 'source_id'
  | 'class_id'
  | 'responsible_id'
  | 'birthday'
  | 'comment'
  | 'external_id'
  | 'created_at'
  | 'updated_at';

/**
 * A column another plugin adds to import and export (e.g. tags, the contact class): its values
 * for a page of exported contacts, and how to apply imported cells.
 */
export interface IoColumn extends Contribution {
  /** i18n key of the column's title (the export header and the import mapping choice). */
  title: string;
  /** Header names, in any language, that suggest this column when a file is imported. */
  aliases?: string[];
  /**
   * Export: the cell of each contact of a page (no N+1). The contacts are whole, enrichers
   * applied, unless the column says in `reads` what it needs of them.
   */
  values(contacts: Contact[]): Promise<Map<number, string>>;
  /**
   * Export: the fields of a contact's row that `values` reads (`[]` for the id alone). Declared,
   * the contacts it gets have those fields and their id, everything else empty, and the export
   * reads only what its columns need. Left out, every page is loaded whole through the contact
   * loader, enrichers and all, for this column: about three times the export's work.
   */
  reads?: ContactRowField[];
  /**
   * Import: checks one cell before anything is written; returns a translated reason (i18n key)
   * when the value is unacceptable, or null. Omit when every value is acceptable.
   */
  validate?(value: string): Promise<string | null>;
  /**
   * Import: applies the cells to contacts just written, inside the import's transaction. Omit
   * for an export-only column. It may answer what it changed on each contact (JSON), which the
   * import keeps for the contacts it updated so that undoing the import can call `revert`.
   */
  apply?(rows: Array<{ contactId: number; value: string }>, context: { userId: number | null; transaction: Transaction }): Promise<Map<number, unknown> | void>;
  /**
   * Undo of an import: takes back what `apply` answered it changed on contacts the import
   * updated (contacts it created go to the trash whole), inside the undo's transaction.
   */
  revert?(rows: Array<{ contactId: number; data: unknown }>, context: { userId: number | null; transaction: Transaction }): Promise<void>;
}

export const profileTabs = defineExtensionPoint<ProfileTab>('crm.profile-tab/v1');
export const profileActions = defineExtensionPoint<ProfileAction>('crm.profile-action/v1');
export const profileHeaderSlots = defineExtensionPoint<ProfileHeaderSlot>('crm.profile-header/v1');
export const contactEnrichers = defineExtensionPoint<ContactEnricher>('crm.contact-enricher/v1');
export const listColumns = defineExtensionPoint<ListColumn>('crm.list-column/v1');
export const listActions = defineExtensionPoint<ListAction>('crm.list-action/v1');
export const listPanels = defineExtensionPoint<ListPanel>('crm.list-panel/v1');
export const filterConditions = defineExtensionPoint<FilterCondition>('crm.filter/v1');
export const segmentSources = defineExtensionPoint<SegmentSource>('crm.segment-source/v1');
export const contactClasses = defineExtensionPoint<ContactClassRule>('crm.contact-class/v1');
export const fieldTypes = defineExtensionPoint<FieldTypeContribution>('crm.field-type/v1');
export const ioColumns = defineExtensionPoint<IoColumn>('crm.io-column/v1');

// ---------------------------------------------------------------------------------------------
// Events

export interface ContactEvent {
  contact: Contact;
  userId: number | null;
}

export const contactCreated = defineEvent<ContactEvent>('crm.contact.created');
export const contactUpdated = defineEvent<ContactEvent & { changes: Record<string, { old: unknown; new: unknown }> }>('crm.contact.updated');
export const contactDeleted = defineEvent<{ id: number; userId: number | null; purged: boolean }>('crm.contact.deleted');
/**
 * Contacts written in bulk by an import (they emit no created/updated event each): once per
 * committed batch, inside its `transaction` and emitted with `rethrow`, so a handler's failure
 * undoes the batch. `updatedIds` were changed through the contacts service in that transaction.
 */
export const contactsImported = defineEvent<{ importId: number; createdIds: number[]; updatedIds: number[]; userId: number | null; transaction: Transaction }>('crm.contacts.imported');
/** Plugins that keep contact ids re-point them from `fromId` to `intoId`, inside `transaction`. */
export const contactMerged = defineEvent<{ fromId: number; intoId: number; userId: number | null; transaction: Transaction }>('crm.contact.merged');
/** "Before" event: a handler may veto the write by throwing an HttpError. */
export const contactBeforeSave = defineEvent<{ input: ContactInput; existing: Contact | null; user: CurrentUser; transaction: Transaction }>('crm.contact.before-save');

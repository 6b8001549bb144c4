/**
 * The History tab: every change to the contact with who and when, filters by field and action,
 * values formatted like the card, and a one-click "restore this value" on restorable changes.
 */
import type { Request } from 'express';
import type { PluginContext } from '../../../host/api.js';
import { CrmTokens, type Contact, type HistoryEntry, type HistoryWriter } from '../api.js';
import { fieldsFor, specFor } from '../routes/card-fields.js';
import { CardLookups, displayText } from '../routes/card-format.js';
import { cardServices, str } from '../routes/card-support.js';

export const HISTORY_PAGE = 50;
export const HISTORY_ACTIONS = ['create', 'import', 'update', 'merge', 'delete', 'restore', 'note.add', 'note.edit', 'note.delete'];
const NOTE_EXCERPT = 300;

export interface HistoryFilters {
  field: string;
  action: string;
}

const ICONS: Record<string, string> = {
  create: 'plus-circle',
  import: 'file-earmark-arrow-up',
  merge: 'union',
  update: 'pencil',
  delete: 'trash3',
  restore: 'arrow-counterclockwise',
  'note.add': 'sticky',
  'note.edit': 'sticky',
  'note.delete': 'sticky',
};

/** Filters from a query string or a form, dropping anything not offered (no error for a stale link). */
export function historyFilters(source: Record<string, unknown>, fieldKeys: string[]): HistoryFilters {
  const field = str(source.field);
  const action = str(source.action);
  return { field: fieldKeys.includes(field) ? field : '', action: HISTORY_ACTIONS.includes(action) ? action : '' };
}

function currentValue(contact: Contact, field: string): unknown {
  if (field.startsWith('custom.')) return contact.custom[field.slice(7)] ?? null;
  return (contact as unknown as Record<string, unknown>)[field] ?? null;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const excerpt = (v: unknown): string => {
  const s = typeof v === 'string' ? v : '';
  return s.length > NOTE_EXCERPT ? `${s.slice(0, NOTE_EXCERPT)}…` : s;
};

/**
 * What an import or a merge entry links to: the import's summary (entries written since imports
 * name theirs), or the merged contacts by name (their ids redirect to this contact).
 */
function entryLinks(e: HistoryEntry, req: Request): Array<{ href: string; text: string }> {
  const v = e.new_value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object') return [];
  if (e.action === 'import' && Number.isInteger(v.import_id)) {
    const text = req.t('crm:tabs.history.from_import', { id: v.import_id, file: typeof v.file === 'string' ? v.file : '' });
    return [{ href: `/crm/import/${Number(v.import_id)}`, text }];
  }
  if (e.action === 'merge' && Array.isArray(v.merged)) {
    return (v.merged as Array<{ id?: unknown; name?: unknown }>).flatMap((m) =>
      Number.isInteger(m.id) ? [{ href: `/crm/contacts/${Number(m.id)}`, text: typeof m.name === 'string' && m.name ? m.name : `#${Number(m.id)}` }] : [],
    );
  }
  return [];
}

async function entryView(e: HistoryEntry, contact: Contact, l: CardLookups, canEdit: boolean, req: Request) {
  const isUpdate = e.action === 'update' && e.field;
  const spec = isUpdate ? specFor(e.field!, l.customFields) : null;
  const title = isUpdate
    ? spec
      ? l.label(spec)
      : req.t(`crm:card.field.${e.field}`, { defaultValue: e.field! })
    : req.t(`crm:tabs.history.action.${e.action}`, { defaultValue: e.action });
  const isNote = e.action.startsWith('note.');
  return {
    id: e.id,
    field: e.field,
    contactId: contact.id,
    icon: ICONS[e.action] ?? 'dot',
    action: e.action,
    isUpdate: Boolean(isUpdate),
    title,
    who: e.user_name ?? req.t('crm:tabs.history.system'),
    when: e.created_at,
    old: isUpdate ? await displayText(spec, e.old_value, l) : isNote ? excerpt(e.old_value) : '',
    // An import entry of before imports named themselves holds the contact's name, like "create".
    new: isUpdate ? await displayText(spec, e.new_value, l) : isNote || e.action === 'create' || e.action === 'import' ? excerpt(e.new_value) : '',
    links: entryLinks(e, req),
    isNote,
    restorable: Boolean(isUpdate) && e.restorable && canEdit && !same(e.old_value, currentValue(contact, e.field!)),
  };
}

export async function countHistoryEntries(ctx: PluginContext, contact: Contact, req: Request): Promise<number> {
  return ctx.get<HistoryWriter>(CrmTokens.History).count(req.user!, contact.id);
}

/**
 * The tab's body. With `before` (the "show older" button) only the next entries are rendered.
 * `alert` reports the outcome of a restore.
 */
export async function renderHistoryTab(
  ctx: PluginContext,
  contact: Contact,
  req: Request,
  options: { filters?: HistoryFilters; before?: number; alert?: { type: string; text: string } } = {},
): Promise<string> {
  const s = cardServices(ctx);
  const [lookups, canEdit] = await Promise.all([CardLookups.load(s, req), contact.deleted_at ? false : s.scope.canEdit(req.user!, contact.id)]);
  const specs = fieldsFor(contact.kind, lookups.customFields);
  const filters = options.filters ?? historyFilters(req.query as Record<string, unknown>, specs.map((f) => f.key));
  const beforeRaw = options.before ?? Number(str((req.query as Record<string, unknown>).before));
  const before = Number.isInteger(beforeRaw) && beforeRaw > 0 ? beforeRaw : undefined;
  const entries = await s.history.list(req.user!, contact.id, {
    field: filters.field || undefined,
    action: filters.action || undefined,
    limit: HISTORY_PAGE + 1,
    before,
  });
  const shown = entries.slice(0, HISTORY_PAGE);
  const base = `/crm/contacts/${contact.id}/tabs/crm/history`;
  const params = new URLSearchParams({ ...(filters.field ? { field: filters.field } : {}), ...(filters.action ? { action: filters.action } : {}) });
  const model = {
    contactId: contact.id,
    version: contact.version,
    src: base,
    filters,
    entries: await Promise.all(shown.map((e) => entryView(e, contact, lookups, canEdit, req))),
    more: entries.length > HISTORY_PAGE ? `${base}?${new URLSearchParams({ ...Object.fromEntries(params), before: String(shown.at(-1)!.id) })}` : null,
    fieldOptions: specs.map((f) => ({ value: f.key, label: lookups.label(f), selected: f.key === filters.field })),
    actionOptions: HISTORY_ACTIONS.map((a) => ({ value: a, label: req.t(`crm:tabs.history.action.${a}`), selected: a === filters.action })),
    filtered: Boolean(filters.field || filters.action),
    alert: options.alert ?? null,
  };
  return s.views.renderPartial(req, before ? 'crm/partials/card-history-entries' : 'crm/tabs/history', model);
}

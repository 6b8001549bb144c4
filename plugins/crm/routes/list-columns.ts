/**
 * The columns the client list can show: the standard ones, custom fields and columns other
 * plugins contribute; and each user's choice and order of them, kept in their settings.
 */
import type { Request } from 'express';
import type { Contributed, CurrentUser, FieldError, SettingsStore } from '../../../host/api.js';
import type { FieldDefinition, ListColumn } from '../api.js';
import { FieldsService } from '../services/fields-service.js';

export const COLUMNS_KEY = 'crm.list.columns';
export const MAX_COLUMNS = 200;

export interface ColumnDef {
  /** `status`, `custom.<key>`, `ext.<pluginId>.<id>`. */
  id: string;
  title: string;
  /** The query service's sort key, or null when the column cannot be sorted. */
  sort: string | null;
  source: 'standard' | 'custom' | 'ext';
  field?: FieldDefinition;
  ext?: Contributed<ListColumn>;
  /** Shown to users who have not chosen their columns yet. */
  byDefault: boolean;
  numeric?: boolean;
}

/**
 * The name is always the first column; these follow it in this order. Category and "updated" are
 * offered but not shown until chosen, so the default table fits a laptop screen.
 */
/** `field`: the standard contact field a column shows, so hiding that field hides the column. */
const STANDARD: Array<{ id: string; sort: string | null; byDefault: boolean; field?: string }> = [
  { id: 'status', sort: 'status_id', byDefault: true },
  { id: 'email', sort: null, byDefault: true },
  { id: 'phone', sort: null, byDefault: true },
  { id: 'job_title', sort: 'job_title', byDefault: true, field: 'job_title' },
  { id: 'category', sort: 'category_id', byDefault: false, field: 'category_id' },
  { id: 'responsible', sort: 'responsible_id', byDefault: true },
  { id: 'created_at', sort: 'created_at', byDefault: true },
  { id: 'updated_at', sort: 'updated_at', byDefault: false },
];

const UNSORTABLE_FIELDS = new Set(['multi_select', 'long_text']);

export function columnCatalog(req: Request, fields: FieldDefinition[], contributed: Array<Contributed<ListColumn>>, hidden: ReadonlySet<string> = new Set()): ColumnDef[] {
  return [
    ...STANDARD.filter((c) => !c.field || !hidden.has(c.field)).map((c) => ({ id: c.id, title: req.t(`crm:list.col.${c.id}`), sort: c.sort, source: 'standard' as const, byDefault: c.byDefault })),
    ...fields.map((f) => ({
      id: `custom.${f.key}`,
      title: FieldsService.label(f, req.language),
      sort: UNSORTABLE_FIELDS.has(f.type) ? null : `custom.${f.key}`,
      source: 'custom' as const,
      field: f,
      byDefault: f.in_list,
      numeric: f.type === 'number' || f.type === 'money',
    })),
    // The query service sorts only by its own columns, so contributed ones are not sortable.
    ...contributed.map((c) => ({ id: `ext.${c.pluginId}.${c.id}`, title: req.t(c.title), sort: null, source: 'ext' as const, ext: c, byDefault: true })),
  ];
}

/** The user's saved columns in their order (unknown ones dropped), or the default set. */
export async function chosenColumns(settings: SettingsStore, user: CurrentUser, catalog: ColumnDef[]): Promise<ColumnDef[]> {
  const saved = await settings.get<unknown>(`user:${user.id}`, COLUMNS_KEY);
  if (!Array.isArray(saved)) return catalog.filter((c) => c.byDefault);
  const byId = new Map(catalog.map((c) => [c.id, c]));
  return [...new Set(saved.filter((id): id is string => typeof id === 'string'))].map((id) => byId.get(id)).filter((c): c is ColumnDef => Boolean(c));
}

/** Checks a submitted choice against the catalog; `name` is always shown and may be left out. */
export function checkColumns(ids: string[], catalog: ColumnDef[]): { columns: string[]; errors: FieldError[] } {
  const known = new Set(catalog.map((c) => c.id));
  const errors: FieldError[] = [];
  ids.forEach((id, i) => {
    if (id !== 'name' && !known.has(id)) errors.push({ field: `columns.${i}`, code: 'enum', message: 'crm:list.unknown_column' });
  });
  return { columns: [...new Set(ids.filter((id) => id !== 'name'))], errors };
}

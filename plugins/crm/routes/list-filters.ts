/**
 * The filter panel of the client list (its inputs, filled from the current query) and the chips
 * of the active filters, each with a link that removes it.
 */
import type { Request } from 'express';
import type { Contributed, UserRecord } from '../../../host/api.js';
import type { DictionaryItem, FieldDefinition, FilterCondition, FilterValue } from '../api.js';
import { DictionariesService } from '../services/dictionaries-service.js';
import { FieldsService } from '../services/fields-service.js';
import { safeColor } from './list-cells.js';
import { listHref, type ListParams, type Pair } from './list-params.js';

interface Option {
  value: string;
  label: string;
  selected: boolean;
  color?: string | null;
}

interface Control {
  name: string;
  label: string;
  control: 'select' | 'range' | 'input';
  inputType?: 'text' | 'number' | 'date';
  step?: string;
  options?: Option[];
  value?: string;
  from?: string;
  to?: string;
}

export interface Chip {
  /** What is filtered ("Status"); empty when the value says it all (a condition's own description). */
  label: string;
  value: string;
  /** How the remove link names the filter. */
  name: string;
  href: string;
}

export interface FilterPanel {
  kinds: Option[];
  statuses: Option[];
  categories: Option[];
  users: Option[];
  createdFrom: string;
  createdTo: string;
  hasEmail: Option[];
  hasPhone: Option[];
  custom: Control[];
  conditions: Array<{ id: string; title: string; active: boolean; keep: string; controls: Control[] }>;
  chips: Chip[];
  /** Active filters besides the search text. */
  active: number;
  clearHref: string;
}

interface Sources {
  statuses: DictionaryItem[];
  categories: DictionaryItem[];
  users: UserRecord[];
  fields: FieldDefinition[];
  conditions: Array<Contributed<FilterCondition>>;
}

type PropertySchema = { type?: string | string[]; enum?: unknown[]; title?: string; format?: string };

/** Inputs for the simple properties of a condition's JSON schema (strings, numbers, booleans, enums). */
function conditionControls(req: Request, id: string, schema: Record<string, unknown>, value: FilterValue | undefined): Control[] {
  const properties = (schema.properties ?? {}) as Record<string, PropertySchema>;
  const controls: Control[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    const type = Array.isArray(prop.type) ? prop.type.find((t) => t !== 'null') : prop.type;
    const current = value?.[name] === undefined || value[name] === null ? '' : String(value[name]);
    const base = { name: `condition.${id}.${name}`, label: prop.title ? req.t(prop.title) : name };
    if (Array.isArray(prop.enum)) {
      const options = prop.enum.map((v) => ({ value: String(v), label: String(v), selected: String(v) === current }));
      controls.push({ ...base, control: 'select', options: [{ value: '', label: req.t('crm:list.any'), selected: current === '' }, ...options] });
    } else if (type === 'boolean') {
      controls.push({ ...base, control: 'select', options: yesNo(req, current) });
    } else if (type === 'number' || type === 'integer') {
      controls.push({ ...base, control: 'input', inputType: 'number', step: type === 'integer' ? '1' : 'any', value: current });
    } else if (type === 'string') {
      controls.push({ ...base, control: 'input', inputType: prop.format === 'date' ? 'date' : 'text', value: current });
    }
  }
  return controls;
}

function yesNo(req: Request, current: string): Option[] {
  return [
    { value: '', label: req.t('crm:list.any'), selected: current === '' },
    { value: 'true', label: req.t('crm:list.yes'), selected: current === 'true' },
    { value: 'false', label: req.t('crm:list.no'), selected: current === 'false' },
  ];
}

function customControl(req: Request, field: FieldDefinition, params: ListParams): Control | null {
  const value = params.query.custom?.[field.key];
  const name = `custom.${field.key}`;
  const label = FieldsService.label(field, req.language);
  const exact = typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '';
  switch (field.type) {
    case 'long_text':
      return null;
    case 'select':
    case 'multi_select':
      return {
        name,
        label,
        control: 'select',
        options: [{ value: '', label: req.t('crm:list.any'), selected: exact === '' }, ...field.options.map((o) => ({ value: o, label: o, selected: o === exact }))],
      };
    case 'checkbox':
      return { name, label, control: 'select', options: yesNo(req, exact) };
    case 'number':
    case 'money':
    case 'date': {
      const range = (value && typeof value === 'object' && !Array.isArray(value) ? value : {}) as { from?: string; to?: string };
      return { name, label, control: 'range', inputType: field.type === 'date' ? 'date' : 'number', step: 'any', from: range.from ?? '', to: range.to ?? '' };
    }
    default:
      return { name, label, control: 'input', inputType: 'text', value: exact };
  }
}

/** What a chip says about a value: the labels of ids, yes/no, ranges. */
function chips(req: Request, params: ListParams, sources: Sources): Chip[] {
  const out: Array<Omit<Chip, 'name'>> = [];
  const pairs = params.filters;
  const without = (drop: (p: Pair) => boolean) => listHref(params, pairs.filter((p) => !drop(p)));
  const dictionary = new Map([...sources.statuses, ...sources.categories].map((d) => [d.id, DictionariesService.label(d, req.language)]));
  const users = new Map(sources.users.map((u) => [u.id, u.name]));
  const yes = (v: string) => req.t(v === 'true' ? 'crm:list.yes' : 'crm:list.no');
  const range = (from?: string, to?: string) => (from && to ? `${from} – ${to}` : from ? `≥ ${from}` : `≤ ${to}`);

  for (const [key, value] of pairs) {
    const one = (label: string, text: string) => out.push({ label, value: text, href: without(([k, v]) => k === key && v === value) });
    if (key === 'kind') one(req.t('crm:list.kind'), req.t(`crm:list.kinds.${value}`));
    else if (key === 'status_id') one(req.t('crm:list.col.status'), value === '0' ? req.t('crm:list.no_status') : (dictionary.get(Number(value)) ?? `#${value}`));
    else if (key === 'category_id') one(req.t('crm:list.col.category'), value === '0' ? req.t('crm:list.no_category') : (dictionary.get(Number(value)) ?? `#${value}`));
    else if (key === 'responsible_id') one(req.t('crm:list.col.responsible'), value === '0' ? req.t('crm:list.unassigned') : (users.get(Number(value)) ?? `#${value}`));
    else if (key === 'has_email' || key === 'has_phone') one(req.t(`crm:list.${key}`), yes(value));
  }
  if (params.query.created_from || params.query.created_to) {
    out.push({
      label: req.t('crm:list.created'),
      value: range(params.query.created_from, params.query.created_to),
      href: without(([k]) => k === 'created_from' || k === 'created_to'),
    });
  }
  for (const [key, value] of Object.entries(params.query.custom ?? {})) {
    const field = sources.fields.find((f) => f.key === key);
    if (!field) continue;
    const label = FieldsService.label(field, req.language);
    const href = without(([k]) => k === `custom.${key}` || k.startsWith(`custom.${key}.`));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const r = value as { from?: string; to?: string };
      out.push({ label, value: range(r.from, r.to), href });
    } else {
      const list = (Array.isArray(value) ? value : [value]).map(String);
      out.push({ label, value: field.type === 'checkbox' ? yes(list[0]!) : list.join(', '), href });
    }
  }
  for (const [id, value] of Object.entries(params.query.conditions ?? {})) {
    const condition = sources.conditions.find((c) => `${c.pluginId}.${c.id}` === id);
    if (!condition) continue;
    let described = '';
    try {
      described = condition.describe ? condition.describe(value, req) : '';
    } catch {
      described = ''; // a plugin's describe() must not break the list; the generic text follows
    }
    const href = without(([k]) => k === `condition.${id}` || k === condition.param?.name);
    if (described) {
      out.push({ label: '', value: described, href });
      continue;
    }
    const props = (condition.schema.properties ?? {}) as Record<string, PropertySchema>;
    const text = Object.entries(value)
      .map(([k, v]) => `${props[k]?.title ? req.t(props[k].title) : k}: ${String(v)}`)
      .join(', ');
    out.push(text ? { label: req.t(condition.title), value: text, href } : { label: '', value: req.t(condition.title), href });
  }
  return out.map((c) => ({ ...c, name: c.label || c.value }));
}

export function filterPanel(req: Request, params: ListParams, sources: Sources): FilterPanel {
  const q = params.query;
  const picked = (list: number[] | undefined, id: number) => Boolean(list?.includes(id));
  const me = req.user!.id;
  const users = [...sources.users.filter((u) => u.isActive || q.responsible_id?.includes(u.id))].sort((a, b) => (a.id === me ? -1 : b.id === me ? 1 : a.name.localeCompare(b.name, req.language)));
  const made = chips(req, params, sources);
  return {
    kinds: ['', 'person', 'company'].map((k) => ({ value: k, label: req.t(k ? `crm:list.kinds.${k}` : 'crm:list.kinds.all'), selected: (q.kind ?? '') === k })),
    statuses: [
      ...sources.statuses.map((s) => ({ value: String(s.id), label: DictionariesService.label(s, req.language), color: safeColor(s.color), selected: picked(q.status_id, s.id) })),
      { value: '0', label: req.t('crm:list.no_status'), selected: picked(q.status_id, 0) },
    ],
    categories: [
      ...sources.categories.map((s) => ({ value: String(s.id), label: DictionariesService.label(s, req.language), selected: picked(q.category_id, s.id) })),
      { value: '0', label: req.t('crm:list.no_category'), selected: picked(q.category_id, 0) },
    ],
    users: [
      ...users.map((u) => ({ value: String(u.id), label: u.id === me ? req.t('crm:list.me', { name: u.name }) : u.name, selected: picked(q.responsible_id, u.id) })),
      { value: '0', label: req.t('crm:list.unassigned'), selected: picked(q.responsible_id, 0) },
    ],
    createdFrom: q.created_from ?? '',
    createdTo: q.created_to ?? '',
    hasEmail: yesNo(req, q.has_email === undefined ? '' : String(q.has_email)),
    hasPhone: yesNo(req, q.has_phone === undefined ? '' : String(q.has_phone)),
    custom: sources.fields.map((f) => customControl(req, f, params)).filter((c): c is Control => Boolean(c)),
    conditions: sources.conditions
      .map((c) => {
        const id = `${c.pluginId}.${c.id}`;
        const value = q.conditions?.[id];
        const controls = conditionControls(req, id, c.schema, value);
        // The switch carries what the inputs cannot show (lists, objects), so applying the form keeps it.
        const shown = new Set(controls.map((k) => k.name.slice(`condition.${id}.`.length)));
        const keep = JSON.stringify(Object.fromEntries(Object.entries(value ?? {}).filter(([k]) => !shown.has(k))));
        return { id, title: req.t(c.title), active: Boolean(value), keep, controls };
      })
      // A condition the form cannot fill in is offered only while it is in use.
      .filter((c) => c.controls.length || c.active),
    chips: made,
    active: made.length,
    clearHref: listHref(params, params.filters.filter(([k]) => k === 'q' || k === 'trash')),
  };
}

/**
 * The mass actions of the client list as small forms, built from each action's params schema:
 * `x-crm-picker` (status, category, client_type, source, user) gives a picker of those values,
 * `x-crm-options` (a path on this site answering `[{value, label}]`) a select the browser fills
 * when the form opens (segments, classes: choices only their plugin knows), an `enum` a select, a list of strings a comma-separated input, booleans a switch, numbers and
 * strings an input. `description` is shown above the fields; `x-crm-danger` makes it a
 * confirmation with a red button. And the way back: form strings into the schema's shape.
 */
import type { Request } from 'express';
import type { Contributed, UserRecord } from '../../../host/api.js';
import type { DictionaryItem, ListAction } from '../api.js';
import { DictionariesService } from '../services/dictionaries-service.js';
import { actionKey, PICKER_DICTIONARIES } from '../services/list-action-runner.js';
import { safeColor } from './list-cells.js';

type Prop = { type?: string | string[]; enum?: unknown[]; title?: string; description?: string; items?: { type?: string }; 'x-crm-picker'?: string; 'x-crm-options'?: string };

interface Choice {
  value: string;
  label: string;
  color?: string | null;
  none?: boolean;
}

export interface ActionField {
  name: string;
  id: string;
  label: string;
  help: string | null;
  required: boolean;
  control: 'radios' | 'select' | 'list' | 'switch' | 'input';
  inputType?: 'text' | 'number';
  step?: string;
  choices?: Choice[];
  /** Where the browser loads the choices from when the form opens (`x-crm-options`). */
  optionsUrl?: string;
}

export interface ActionForm {
  key: string;
  /** Safe in ids and test ids. */
  slug: string;
  title: string;
  icon: string;
  description: string | null;
  danger: boolean;
  /** The action's own page (ListAction.href): the form posts there and asks nothing. */
  href: string | null;
  fields: ActionField[];
}

/** The "none" choice of a picker: posted explicitly, so an untouched form never clears a value by accident. */
export const NONE = '__none__';

const types = (p: Prop): string[] => (Array.isArray(p.type) ? p.type : p.type ? [p.type] : []);
const nullable = (p: Prop) => types(p).includes('null');

function field(req: Request, slug: string, name: string, prop: Prop, required: boolean, sources: { dictionary: DictionaryItem[]; users: UserRecord[] }): ActionField {
  const base = {
    name: `params[${name}]`,
    id: `crm-action-${slug}-${name}`,
    label: prop.title ? req.t(prop.title) : name,
    help: prop.description ? req.t(prop.description) : null,
    required: required && !nullable(prop),
  };
  const picker = prop['x-crm-picker'];
  if (picker && (PICKER_DICTIONARIES as readonly string[]).includes(picker)) {
    const items = sources.dictionary.filter((d) => d.dictionary === picker && d.active);
    const none = nullable(prop) ? [{ value: NONE, label: req.t(`crm:actions.none.${picker}`), none: true }] : [];
    return { ...base, required: true, control: 'radios', choices: [...items.map((d) => ({ value: String(d.id), label: DictionariesService.label(d, req.language), color: safeColor(d.color) })), ...none] };
  }
  if (picker === 'user') {
    const me = req.user!.id;
    const users = sources.users.filter((u) => u.isActive).sort((a, b) => (a.id === me ? -1 : b.id === me ? 1 : a.name.localeCompare(b.name, req.language)));
    const none = nullable(prop) ? [{ value: NONE, label: req.t('crm:actions.none.user') }] : [];
    return { ...base, required: true, control: 'select', choices: [...users.map((u) => ({ value: String(u.id), label: u.id === me ? req.t('crm:list.me', { name: u.name }) : u.name })), ...none] };
  }
  const url = prop['x-crm-options'];
  if (typeof url === 'string' && /^\/(?![/\\])/.test(url)) {
    const none = nullable(prop) ? [{ value: NONE, label: req.t('crm:actions.none.any'), none: true }] : [];
    return { ...base, required: true, control: 'select', optionsUrl: url, choices: none };
  }
  if (Array.isArray(prop.enum)) return { ...base, control: 'select', choices: prop.enum.map((v) => ({ value: String(v), label: String(v) })) };
  const type = types(prop).find((t) => t !== 'null');
  if (type === 'array') return { ...base, control: 'list', help: base.help ?? req.t('crm:actions.comma_separated') };
  if (type === 'boolean') return { ...base, control: 'switch', required: false };
  if (type === 'integer' || type === 'number') return { ...base, control: 'input', inputType: 'number', step: type === 'integer' ? '1' : 'any' };
  return { ...base, control: 'input', inputType: 'text' };
}

export function actionForms(req: Request, actions: Array<Contributed<ListAction>>, sources: { dictionary: DictionaryItem[]; users: UserRecord[] }): ActionForm[] {
  const forms = actions.map((action) => {
    const key = actionKey(action);
    const slug = key.replace(/[^A-Za-z0-9_-]/g, '-');
    const schema = (action.schema ?? {}) as { properties?: Record<string, Prop>; required?: string[]; description?: string; 'x-crm-danger'?: boolean };
    return {
      key,
      slug,
      title: req.t(action.title),
      icon: action.icon ?? 'lightning',
      description: schema.description ? req.t(schema.description) : null,
      danger: schema['x-crm-danger'] === true,
      href: action.href && /^\/(?![/\\])/.test(action.href) ? action.href : null,
      fields: action.href ? [] : Object.entries(schema.properties ?? {}).map(([name, prop]) => field(req, slug, name, prop, Boolean(schema.required?.includes(name)), sources)),
    };
  });
  // Destructive actions last, below a line.
  return [...forms.filter((f) => !f.danger), ...forms.filter((f) => f.danger)];
}

/**
 * Posted form values in the schema's shape before validation: "none" or an empty value is null
 * where the schema allows it (else left out), a comma-separated list becomes an array, a switch a boolean.
 */
export function formParams(action: ListAction, posted: unknown): Record<string, unknown> {
  const raw = posted && typeof posted === 'object' && !Array.isArray(posted) ? (posted as Record<string, unknown>) : {};
  const properties = ((action.schema ?? {}) as { properties?: Record<string, Prop> }).properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const prop = properties[name];
    if (!prop) {
      out[name] = value;
      continue;
    }
    const type = types(prop).find((t) => t !== 'null');
    const text = typeof value === 'string' ? value.trim() : value;
    if (type === 'array' && typeof text === 'string') out[name] = text.split(',').map((s) => s.trim()).filter(Boolean);
    else if (type === 'boolean') out[name] = text === 'true' || text === 'on' || text === '1';
    else if (text === '' || text === NONE) {
      if (nullable(prop)) out[name] = null;
    } else out[name] = text;
  }
  // An unticked switch is not posted at all: it means false.
  for (const [name, prop] of Object.entries(properties)) if (!(name in out) && types(prop).includes('boolean')) out[name] = false;
  return out;
}

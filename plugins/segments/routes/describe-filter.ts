/**
 * A dynamic segment's saved filter in words, for its page: "Status: Lead, Won", "Region: North",
 * "Has an order of “Laptop” above 700"... Labels of dictionary items, users and custom fields
 * come from the CRM's services through its public tokens; a plugin's condition describes itself.
 * Anything unknown is shown as it is stored.
 */
import type { Request } from 'express';
import { TOKENS, type ExtensionRegistry, type PluginContext, type UsersService } from '../../../host/api.js';
import { CrmTokens, filterConditions, type DictionaryItem, type FieldDefinition, type FilterValue } from '../../crm/api.js';
import type { FilterParams } from '../api.js';

export interface FilterLine {
  label: string;
  value: string;
}

/** The CRM's services as far as this page needs them; missing methods only cost the pretty labels. */
type Lister<T> = Partial<{ all(): Promise<T[]> }>;

async function listed<T>(service: Lister<T>): Promise<T[]> {
  try {
    return typeof service.all === 'function' ? await service.all() : [];
  } catch {
    return [];
  }
}

const valuesOf = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).filter(Boolean);

export async function describeFilter(ctx: PluginContext, req: Request, filter: FilterParams): Promise<FilterLine[]> {
  const t = req.t;
  const [dictionary, fields, users] = await Promise.all([
    listed<DictionaryItem>(ctx.get(CrmTokens.Dictionaries)),
    listed<FieldDefinition>(ctx.get(CrmTokens.Fields)),
    ctx.get<UsersService>(TOKENS.Users).list().catch(() => []),
  ]);
  const conditions = ctx.get<ExtensionRegistry>(TOKENS.Extensions).list(filterConditions);
  const item = (id: string, none: string) => (id === '0' ? t(none) : (() => {
    const found = dictionary.find((d) => d.id === Number(id));
    return found ? found.labels[req.language] || found.name : `#${id}`;
  })());
  const fieldLabel = (key: string) => {
    const field = fields.find((f) => f.key === key);
    return field ? field.labels[req.language] || field.labels.en || field.key : key;
  };
  const described = (condition: (typeof conditions)[number], value: FilterValue) => {
    try {
      return condition.describe?.(value, req) || '';
    } catch {
      return '';
    }
  };

  const lines: FilterLine[] = [];
  for (const [key, raw] of Object.entries(filter)) {
    const values = valuesOf(raw);
    const text = values.join(', ');
    if (key === 'q') lines.push({ label: t('segments:describe.q'), value: text });
    else if (key === 'kind') lines.push({ label: t('segments:describe.kind'), value: t(`segments:describe.kinds.${text}`, { defaultValue: text }) });
    else if (key === 'status_id') lines.push({ label: t('segments:describe.status'), value: values.map((v) => item(v, 'segments:describe.none')).join(', ') });
    else if (key === 'category_id') lines.push({ label: t('segments:describe.category'), value: values.map((v) => item(v, 'segments:describe.none')).join(', ') });
    else if (key === 'responsible_id') {
      lines.push({ label: t('segments:describe.responsible'), value: values.map((v) => (v === '0' ? t('segments:describe.nobody') : (users.find((u) => u.id === Number(v))?.name ?? `#${v}`))).join(', ') });
    } else if (key === 'created_from' || key === 'created_to') lines.push({ label: t(`segments:describe.${key}`), value: text });
    else if (key === 'has_email' || key === 'has_phone') lines.push({ label: t(`segments:describe.${key}`), value: t(text === 'true' ? 'segments:describe.yes' : 'segments:describe.no') });
    else if (key.startsWith('custom.')) {
      const [, field, bound] = key.split('.');
      lines.push({ label: bound ? `${fieldLabel(field!)} (${t(`segments:describe.${bound}`, { defaultValue: bound })})` : fieldLabel(field!), value: text });
    } else if (key.startsWith('condition.')) {
      const condition = conditions.find((c) => `condition.${c.pluginId}.${c.id}` === key);
      let value: FilterValue = {};
      try {
        value = JSON.parse(String(raw)) as FilterValue;
      } catch {
        // shown as stored
      }
      lines.push(condition ? { label: t(condition.title), value: described(condition, value) || String(raw) } : { label: key, value: String(raw) });
    } else {
      const condition = conditions.find((c) => c.param?.name === key);
      let value = '';
      try {
        value = condition ? described(condition, condition.param!.value(([] as string[]).concat(raw))) : '';
      } catch {
        // shown as stored
      }
      lines.push({ label: condition ? t(condition.title) : key, value: value || text });
    }
  }
  return lines;
}

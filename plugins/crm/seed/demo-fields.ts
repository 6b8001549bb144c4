/**
 * The three custom fields the demo data fills: an industry (select), a budget (money) and the
 * date of the next contact. Created when absent; a field an administrator already made under
 * one of these keys with another type is left alone and simply not filled.
 */
import type { FieldDefinition, FieldType } from '../api.js';
import type { FieldsService } from '../services/fields-service.js';

export const INDUSTRIES = [
  'IT & Software', 'Manufacturing', 'Retail', 'Wholesale', 'Logistics', 'Construction', 'Finance', 'Healthcare', 'Agriculture',
  'Energy', 'Education', 'Professional services',
];

export type DemoFieldKey = 'industry' | 'budget' | 'next_contact';
export type DemoFields = Partial<Record<DemoFieldKey, FieldDefinition>>;

const DEFINITIONS: Array<{ key: DemoFieldKey; type: FieldType; labels: Record<string, string>; in_list: boolean; options?: string[] }> = [
  { key: 'industry', type: 'select', labels: { en: 'Industry', pl: 'Branża', ru: 'Отрасль', uk: 'Галузь' }, in_list: true, options: INDUSTRIES },
  { key: 'budget', type: 'money', labels: { en: 'Budget', pl: 'Budżet', ru: 'Бюджет', uk: 'Бюджет' }, in_list: true },
  { key: 'next_contact', type: 'date', labels: { en: 'Next contact', pl: 'Następny kontakt', ru: 'Следующий контакт', uk: 'Наступний контакт' }, in_list: false },
];

/** The demo fields that can be filled: created if missing, skipped if taken by another type or inactive. */
export async function ensureDemoFields(fields: FieldsService): Promise<DemoFields> {
  const out: DemoFields = {};
  for (const def of DEFINITIONS) {
    let field = await fields.byKey(def.key);
    if (!field) field = await fields.create({ key: def.key, type: def.type, labels: def.labels, in_list: def.in_list, options: def.options });
    if (field.type !== def.type || !field.active) continue;
    if (def.type === 'select' && !field.options.length) continue;
    out[def.key] = field;
  }
  return out;
}

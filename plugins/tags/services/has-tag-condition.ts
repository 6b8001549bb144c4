/**
 * The client-list condition "has tag": any or all of the given names, compared case-insensitively.
 * Also the plain `?tag=vip,lead` parameter of the list page and `GET /api/v1/contacts`.
 */
import type { Request } from 'express';
import type { FilterCondition, FilterValue } from '../../crm/api.js';
import { distinctNames, foldName } from './names.js';
import { marks } from './sql.js';

export interface HasTagValue {
  tags: string[];
  mode?: 'any' | 'all';
}

export const hasTagSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tags'],
  properties: {
    tags: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 1000 }, title: 'tags:filter.tags' },
    mode: { enum: ['any', 'all'], default: 'any', title: 'tags:filter.mode' },
  },
};

/** The names asked for: comma-separated values split, blanks dropped, one per folded name. */
export function namesOf(value: FilterValue): string[] {
  const tags = Array.isArray(value.tags) ? value.tags : [];
  return distinctNames(tags.flatMap((s) => String(s).split(',')));
}

/**
 * `c.id IN (contacts with one of these tags)`: a semi-join that starts from the (tag, contact)
 * index, so a rare tag costs a few rows however large the base; "all" is one such test per name.
 */
export function hasTagSql(value: FilterValue, alias: string): { sql: string; params: unknown[] } {
  const keys = namesOf(value).map(foldName);
  if (!keys.length) return { sql: '1 = 1', params: [] };
  const inTags = (n: number) =>
    `${alias}.id IN (SELECT ct.contact_id FROM tags_contact_tags ct JOIN tags_tags t ON t.id = ct.tag_id WHERE t.name_key IN (${marks(n)}))`;
  if (value.mode === 'all' && keys.length > 1) return { sql: keys.map(() => inTags(1)).join(' AND '), params: keys };
  return { sql: inTags(keys.length), params: keys };
}

export function describeHasTag(value: FilterValue, req: Request): string {
  const names = namesOf(value);
  const all = value.mode === 'all' && names.length > 1;
  return all ? req.t('tags:filter.chip_all', { tags: names.join(', ') }) : req.t('tags:filter.chip_any', { count: names.length, tags: names.join(', ') });
}

export const hasTagCondition: FilterCondition = {
  id: 'has-tag',
  title: 'tags:filter.title',
  schema: hasTagSchema,
  sql: hasTagSql,
  describe: describeHasTag,
  param: { name: 'tag', value: (raw) => ({ tags: raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean), mode: 'any' }) },
};

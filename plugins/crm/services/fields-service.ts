/**
 * Custom fields: definitions managed by administrators, and values stored in typed, indexed
 * columns of crm_field_values (see the migration for why). Values are validated per type with a
 * translated error per field.
 */
import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { HttpError, LANGUAGES, TOKENS, inject, injectable, type FieldError } from '../../../host/api.js';
import type { FieldDefinition, FieldType } from '../api.js';
import { crmModels, type CrmModels, type FieldRow, type FieldValueRow } from '../models/crm-models.js';
import { normalizeEmail, normalizePhone, normalizeUrl } from './normalize/channels.js';

export const FIELD_TYPES: FieldType[] = ['text', 'long_text', 'number', 'money', 'date', 'select', 'multi_select', 'checkbox', 'url', 'email', 'phone'];
const CACHE_MS = 10_000;

export interface FieldInput {
  key?: string;
  type?: FieldType;
  labels?: Record<string, string>;
  required?: boolean;
  sort?: number;
  in_list?: boolean;
  options?: string[];
  active?: boolean;
}

function toDefinition(r: FieldRow): FieldDefinition {
  return {
    id: r.id,
    key: r.key,
    type: r.type as FieldType,
    labels: JSON.parse(r.labels) as Record<string, string>,
    required: Boolean(r.required),
    sort: r.sort,
    in_list: Boolean(r.in_list),
    options: r.options ? (JSON.parse(r.options) as string[]) : [],
    active: Boolean(r.active),
  };
}

/** The column a type's values live in. */
export function valueColumn(type: FieldType): 'value_text' | 'value_number' | 'value_date' | 'value_long' {
  if (type === 'number' || type === 'money' || type === 'checkbox') return 'value_number';
  if (type === 'date') return 'value_date';
  if (type === 'long_text') return 'value_long';
  return 'value_text';
}

type Stored = string | number | boolean | string[] | null;

/** One stored row's value as the field's type reads it; null when the row holds none. */
export function storedValue(field: FieldDefinition, r: Omit<FieldValueRow, 'id'>): string | number | boolean | null {
  const column = valueColumn(field.type);
  const v = r[column];
  if (v === null || v === undefined) return null;
  if (field.type === 'checkbox') return Number(v) !== 0;
  if (column === 'value_number') return Number(v);
  return String(v);
}

/** Puts a value read into a contact's values by key: a multiple choice collects its rows, in the order given. */
export function putStoredValue(values: Record<string, unknown>, field: FieldDefinition, v: string | number | boolean | null): void {
  if (field.type === 'multi_select') values[field.key] = [...((values[field.key] as string[] | undefined) ?? []), v as string];
  else values[field.key] = v;
}

@injectable()
export class FieldsService {
  private readonly m: CrmModels;
  private cache: FieldDefinition[] | null = null;
  private cachedAt = 0;

  constructor(@inject(TOKENS.Database) db: Sequelize) {
    this.m = crmModels(db);
  }

  async all(includeInactive = false): Promise<FieldDefinition[]> {
    if (!this.cache || Date.now() - this.cachedAt > CACHE_MS) {
      this.cachedAt = Date.now();
      this.cache = (await this.m.Field.findAll({ order: [['sort', 'ASC'], ['id', 'ASC']] })).map(toDefinition);
    }
    return this.cache.filter((f) => includeInactive || f.active);
  }

  async byKey(key: string): Promise<FieldDefinition | null> {
    return (await this.all(true)).find((f) => f.key === key) ?? null;
  }

  static label(field: FieldDefinition, language: string): string {
    return field.labels[language] || field.labels.en || field.key;
  }

  private checkDefinition(input: FieldInput, creating: boolean): void {
    const errors: FieldError[] = [];
    if (creating && (!input.key || !/^[a-z][a-z0-9_]{0,63}$/.test(input.key))) errors.push({ field: 'key', code: 'pattern', message: 'crm:fields.key_format' });
    if (creating && (!input.type || !FIELD_TYPES.includes(input.type))) errors.push({ field: 'type', code: 'enum', message: 'host:validation.enum' });
    if (input.labels !== undefined && !input.labels.en?.trim()) errors.push({ field: 'labels.en', code: 'required', message: 'host:validation.required' });
    for (const [lng, text] of Object.entries(input.labels ?? {})) {
      if (!(LANGUAGES as readonly string[]).includes(lng) || text.length > 190) errors.push({ field: `labels.${lng}`, code: 'invalid', message: 'host:validation.maxLength', params: { limit: 190 } });
    }
    if ((input.type === 'select' || input.type === 'multi_select') && !(input.options ?? []).filter((o) => o.trim()).length) {
      errors.push({ field: 'options', code: 'minItems', message: 'crm:fields.options_required' });
    }
    if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
  }

  async create(input: FieldInput): Promise<FieldDefinition> {
    this.checkDefinition(input, true);
    const last = (await this.all(true)).at(-1);
    try {
      const row = await this.m.Field.create({
        key: input.key,
        type: input.type,
        labels: JSON.stringify(input.labels ?? { en: input.key }),
        required: input.required ?? false,
        sort: input.sort ?? (last ? last.sort + 10 : 10),
        in_list: input.in_list ?? false,
        options: JSON.stringify((input.options ?? []).map((o) => o.trim()).filter(Boolean)),
        active: input.active ?? true,
      });
      this.cache = null;
      return toDefinition(row);
    } catch (e) {
      if (e instanceof UniqueConstraintError) {
        throw new HttpError(409, 'conflict', 'crm:fields.key_taken', [{ field: 'key', code: 'unique', message: 'crm:fields.key_taken' }]);
      }
      throw e;
    }
  }

  /** Changes a definition; the key and type never change, since values are stored by type. */
  async update(id: number, input: FieldInput): Promise<FieldDefinition> {
    const row = await this.m.Field.findByPk(id);
    if (!row) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    this.checkDefinition({ ...input, type: row.type as FieldType, options: input.options ?? (row.options ? JSON.parse(row.options) : []) }, false);
    await row.update({
      ...(input.labels !== undefined ? { labels: JSON.stringify(input.labels) } : {}),
      ...(input.required !== undefined ? { required: input.required } : {}),
      ...(input.sort !== undefined ? { sort: input.sort } : {}),
      ...(input.in_list !== undefined ? { in_list: input.in_list } : {}),
      ...(input.options !== undefined ? { options: JSON.stringify(input.options.map((o) => o.trim()).filter(Boolean)) } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
    });
    this.cache = null;
    return toDefinition(row);
  }

  async reorder(ids: number[]): Promise<void> {
    await Promise.all(ids.map((id, i) => this.m.Field.update({ sort: (i + 1) * 10 }, { where: { id } })));
    this.cache = null;
  }

  /** Deletes the field and every value of it. */
  async remove(id: number): Promise<void> {
    const count = await this.m.Field.destroy({ where: { id } });
    if (!count) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    await this.m.FieldValue.destroy({ where: { field_id: id } });
    this.cache = null;
  }

  /**
   * Validates `custom` input against the definitions. Returns normalized values by key (null
   * clears a value) and per-field errors (`custom.<key>`).
   */
  async validate(custom: Record<string, unknown>, options: { requireAll: boolean; defaultCountry?: string }): Promise<{ values: Record<string, Stored>; errors: FieldError[] }> {
    const fields = await this.all();
    const byKey = new Map(fields.map((f) => [f.key, f]));
    const values: Record<string, Stored> = {};
    const errors: FieldError[] = [];
    const fail = (key: string, message: string, params?: Record<string, unknown>) => errors.push({ field: `custom.${key}`, code: 'invalid', message, params });
    for (const [key, raw] of Object.entries(custom)) {
      const field = byKey.get(key);
      if (!field) {
        fail(key, 'crm:errors.unknown_field');
        continue;
      }
      const empty = raw === null || raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0);
      if (empty) {
        if (field.required) fail(key, 'host:validation.required');
        else values[key] = null;
        continue;
      }
      const v = this.coerce(field, raw, options.defaultCountry);
      if (v.error !== undefined) fail(key, v.error, v.params);
      else values[key] = v.value;
    }
    if (options.requireAll) {
      for (const f of fields) if (f.required && !(f.key in custom)) fail(f.key, 'host:validation.required');
    }
    return { values, errors };
  }

  private coerce(field: FieldDefinition, raw: unknown, defaultCountry = 'PL'): { value: Stored; error?: undefined; params?: undefined } | { value?: undefined; error: string; params?: Record<string, unknown> } {
    const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : null;
    switch (field.type) {
      case 'text':
        return text !== null && text.length <= 190 ? { value: text } : { error: 'host:validation.maxLength', params: { limit: 190 } };
      case 'long_text':
        return text !== null && text.length <= 20000 ? { value: text } : { error: 'host:validation.maxLength', params: { limit: 20000 } };
      case 'number':
      case 'money': {
        const n = typeof raw === 'number' ? raw : text !== null && /^-?\d+([.,]\d+)?$/.test(text) ? Number(text.replace(',', '.')) : NaN;
        if (!Number.isFinite(n) || Math.abs(n) >= 1e16) return { error: 'crm:errors.not_a_number' };
        return { value: field.type === 'money' ? Math.round(n * 100) / 100 : n };
      }
      case 'date':
        return text !== null && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? { value: text } : { error: 'crm:errors.not_a_date' };
      case 'checkbox':
        if (raw === true || raw === 'true' || raw === 'on' || raw === 1 || raw === '1') return { value: true };
        if (raw === false || raw === 'false' || raw === 0 || raw === '0') return { value: false };
        return { error: 'crm:errors.not_a_boolean' };
      case 'select':
        return text !== null && field.options.includes(text) ? { value: text } : { error: 'host:validation.enum' };
      case 'multi_select': {
        const list = (Array.isArray(raw) ? raw : [raw]).map((x) => String(x).trim());
        return list.every((x) => field.options.includes(x)) ? { value: [...new Set(list)] } : { error: 'host:validation.enum' };
      }
      case 'url': {
        const url = text ? normalizeUrl(text) : null;
        return url ? { value: url } : { error: 'crm:errors.invalid_url' };
      }
      case 'email': {
        const email = text ? normalizeEmail(text) : null;
        return email ? { value: email } : { error: 'crm:errors.invalid_email' };
      }
      case 'phone': {
        const phone = text ? normalizePhone(text, defaultCountry as never) : null;
        return phone ? { value: phone.e164 } : { error: 'crm:errors.invalid_phone' };
      }
    }
  }

  /** Custom values of many contacts at once, by contact id then field key. */
  async valuesFor(contactIds: number[], transaction?: Transaction): Promise<Map<number, Record<string, Stored>>> {
    const out = new Map<number, Record<string, Stored>>(contactIds.map((id) => [id, {}]));
    if (!contactIds.length) return out;
    const fields = new Map((await this.all(true)).map((f) => [f.id, f]));
    const rows = await this.m.FieldValue.findAll({ where: { contact_id: { [Op.in]: contactIds } }, order: [['id', 'ASC']], transaction, raw: true });
    for (const r of rows) {
      const field = fields.get(r.field_id);
      const bucket = out.get(r.contact_id);
      if (!field || !bucket || !field.active) continue;
      putStoredValue(bucket, field, storedValue(field, r));
    }
    return out;
  }

  /** Writes values (null deletes) for one contact; returns what changed, for history. */
  async write(contactId: number, values: Record<string, Stored>, transaction: Transaction): Promise<Array<{ key: string; old: Stored; new: Stored }>> {
    const keys = Object.keys(values);
    if (!keys.length) return [];
    const fields = (await this.all(true)).filter((f) => keys.includes(f.key));
    const current = (await this.valuesFor([contactId], transaction)).get(contactId) ?? {};
    const changes: Array<{ key: string; old: Stored; new: Stored }> = [];
    for (const field of fields) {
      const next = values[field.key] ?? null;
      const old = current[field.key] ?? null;
      if (JSON.stringify(old) === JSON.stringify(next)) continue;
      changes.push({ key: field.key, old, new: next });
      await this.m.FieldValue.destroy({ where: { contact_id: contactId, field_id: field.id }, transaction });
      const list = next === null ? [] : Array.isArray(next) ? next : [next];
      const column = valueColumn(field.type);
      if (list.length) {
        await this.m.FieldValue.bulkCreate(
          list.map((v) => ({ contact_id: contactId, field_id: field.id, [column]: typeof v === 'boolean' ? (v ? 1 : 0) : v })),
          { transaction },
        );
      }
    }
    return changes;
  }
}

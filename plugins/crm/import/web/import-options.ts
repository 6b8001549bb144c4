/**
 * The import's settings as the API takes them: JSON Schemas of the multipart fields `mapping`
 * and `options`, their defaults, and reading them from the form fields (JSON text) with 400s
 * that name the field.
 */
import { HttpError, type FieldError, type JsonSchema, type ValidationService } from '../../../../host/api.js';
import { MAX_IMPORT_COLUMNS } from '../reading/limits.js';
import { IMPORT_DELIMITERS, IMPORT_ENCODINGS, type DedupeKey, type ImportOptions, type MappingTarget } from '../import-contract.js';

export const DEDUPE_KEYS: readonly DedupeKey[] = ['email', 'phone', 'tax_id', 'external_id'];
export const ON_DUPLICATE = ['create', 'skip', 'update'] as const;
export const KINDS = ['person', 'company'] as const;
export const MAX_COLUMNS = MAX_IMPORT_COLUMNS;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 100;

export function defaultOptions(): ImportOptions {
  return { dedupe_keys: ['email'], on_duplicate: 'skip', dry_run: false, keep_valid: true, kind: 'person', apply: {}, read: {} };
}

const id = { type: ['integer', 'null'], minimum: 1 };

export const readSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    encoding: { enum: [...IMPORT_ENCODINGS] },
    delimiter: { enum: [...IMPORT_DELIMITERS] },
    header: { type: 'boolean' },
  },
};

export const optionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dedupe_keys: { type: 'array', uniqueItems: true, maxItems: DEDUPE_KEYS.length, items: { enum: [...DEDUPE_KEYS] } },
    on_duplicate: { enum: [...ON_DUPLICATE] },
    dry_run: { type: 'boolean' },
    keep_valid: { type: 'boolean' },
    kind: { enum: [...KINDS] },
    apply: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tags: { type: 'array', maxItems: MAX_TAGS, items: { type: 'string', minLength: 1, maxLength: MAX_TAG_LENGTH } },
        status_id: id,
        responsible_id: id,
        class_id: id,
      },
    },
    read: readSchema,
  },
};

export const mappingSchema: JsonSchema = { type: 'array', maxItems: MAX_COLUMNS, items: { type: 'string', minLength: 1, maxLength: 200 } };

/** The multipart fields besides the file, for the OpenAPI description and the 400s. */
const uploadFieldsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { mapping: { type: 'string' }, options: { type: 'string' } },
};

function invalid(details: FieldError[]): HttpError {
  return new HttpError(400, 'invalid_input', 'host:errors.invalid_input', details);
}

/** A JSON field of the multipart body, or undefined when absent. */
function jsonField(body: Record<string, unknown>, field: string): unknown {
  const raw = body[field];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw invalid([{ field, code: 'type', message: 'crm:import-wizard.errors.json_field', params: { field } }]);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw invalid([{ field, code: 'json', message: 'crm:import-wizard.errors.json_field', params: { field } }]);
  }
}

const prefixed = (prefix: string, errors: FieldError[]) => errors.map((e) => ({ ...e, field: e.field === '(root)' ? prefix : `${prefix}.${e.field}` }));

/** Reads and checks `mapping` (null when absent: suggest one) and `options` (defaults filled in). */
export function apiSettings(validation: ValidationService, body: unknown): { mapping: MappingTarget[] | null; options: ImportOptions } {
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const shape = validation.validate(uploadFieldsSchema, fields);
  if (shape.length) throw invalid(shape);
  const mapping = jsonField(fields, 'mapping');
  const options = jsonField(fields, 'options') ?? {};
  const errors = [...(mapping === undefined ? [] : prefixed('mapping', validation.validate(mappingSchema, mapping))), ...prefixed('options', validation.validate(optionsSchema, options))];
  if (errors.length) throw invalid(errors);
  return { mapping: (mapping as MappingTarget[] | undefined) ?? null, options: { ...defaultOptions(), ...(options as Partial<ImportOptions>) } };
}

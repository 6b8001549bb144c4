/**
 * The one ajv instance of the host: compiles JSON Schemas once and turns ajv's errors into
 * per-field errors whose messages are i18n keys (`host:validation.<keyword>`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import semver from 'semver';
import type { FieldError, JsonSchema, ValidationService } from '../api.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export class Validator implements ValidationService {
  private readonly ajv = Validator.create(false);
  /** Query strings and form posts carry only strings: this one coerces "3" to 3 and "a" to ["a"]. */
  private readonly coercing = Validator.create('array');
  private readonly cache = new WeakMap<object, ValidateFunction>();
  private readonly coercingCache = new WeakMap<object, ValidateFunction>();

  private static create(coerceTypes: false | 'array'): Ajv {
    const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('semver', (v: string) => semver.valid(v) !== null);
    ajv.addFormat('semver-range', (v: string) => semver.validRange(v) !== null);
    return ajv;
  }

  compile(schema: JsonSchema, coerce = false): ValidateFunction {
    const cache = coerce ? this.coercingCache : this.cache;
    let fn = cache.get(schema);
    if (!fn) {
      fn = (coerce ? this.coercing : this.ajv).compile(schema);
      cache.set(schema, fn);
    }
    return fn;
  }

  /** Validates (and applies defaults to) `data`; returns the field errors, empty when valid. */
  validate(schema: JsonSchema, data: unknown, coerce = false): FieldError[] {
    const fn = this.compile(schema, coerce);
    return fn(data) ? [] : toFieldErrors(fn.errors ?? []);
  }
}

export function fieldOf(e: ErrorObject): string {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') return [base, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
  if (e.keyword === 'additionalProperties') {
    return [base, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
  }
  return base || '(root)';
}

export function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = fieldOf(e);
    if (seen.has(field)) continue; // one message per field is what a form can show
    seen.add(field);
    out.push({ field, code: e.keyword, message: `host:validation.${e.keyword}`, params: { ...e.params } });
  }
  return out;
}

/** A plain English description, for logs and diagnostics that are not shown to end users. */
export function describeErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const field = fieldOf(e);
    if (e.keyword === 'additionalProperties') return `field "${field}": unknown field`;
    if (e.keyword === 'required') return `field "${field}": is required`;
    return `field "${field}": ${e.message ?? e.keyword}`;
  });
}

/** The plugin's HTTP errors: field errors (400), conflicts (409), and "not found" that never reveals a contact. */
import { HttpError, type FieldError } from '../../../host/api.js';

export const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');
export const forbidden = () => new HttpError(403, 'forbidden', 'host:errors.forbidden');
export const invalid = (details: FieldError[]) => new HttpError(400, 'invalid_input', 'host:errors.invalid_input', details);
export const fieldError = (field: string, code: string, message: string, params?: Record<string, unknown>): FieldError => ({ field, code, message, ...(params ? { params } : {}) });

/** A positive integer id from text (a path parameter or a form value), or null. */
export function positiveId(raw: unknown): number | null {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^[1-9]\d{0,15}$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

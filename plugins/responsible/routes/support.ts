/** Shared bits of the plugin's routes: ids from paths and forms, refused changes as messages. */
import type { Request } from 'express';
import { HttpError } from '../../../host/api.js';

const MAX_ID = 2_147_483_647;

/** A positive integer path parameter, or 404 (ids never reveal anything else). */
export function idParam(req: Request, name = 'id'): number {
  const raw = String(req.params[name] ?? '');
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_ID) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

/** Positive integer ids from a form value (one or many); anything else becomes NaN, which checks refuse. */
export function formIds(value: unknown): number[] {
  return ([] as unknown[])
    .concat(value ?? [])
    .filter((v) => !(typeof v === 'string' && v.trim() === ''))
    .map((v) => (typeof v === 'string' && /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : NaN));
}

/** The first translated message of an HttpError's field details, or its own message. */
export function messageOf(req: Request, err: HttpError): string {
  const first = Array.isArray(err.details) ? err.details[0] : undefined;
  return first ? req.t(first.message, first.params ?? {}) : req.t(err.messageKey, err.params ?? {});
}

/** A refused change (4xx) to show as a message; anything else is rethrown. */
export function refusal(err: unknown): HttpError {
  if (err instanceof HttpError && err.status < 500) return err;
  throw err;
}

export const initials = (name: string): string =>
  name
    .split(/[\s.@_-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');

export const listHref = (responsibleId: number): string => `/crm/contacts?responsible_id=${responsibleId}`;

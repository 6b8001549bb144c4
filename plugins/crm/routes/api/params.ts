/** Small helpers shared by the API routes: route declaration, path ids, common schemas, errors. */
import type { Request, RequestHandler } from 'express';
import { HttpError, LANGUAGES, type FieldError, type PluginContext, type RouteDefinition } from '../../../../host/api.js';

const POSITIVE_INT = /^[1-9]\d{0,15}$/;

/** A positive integer path parameter; anything else is a resource that does not exist (404). */
export function pathId(req: Request, name = 'id'): number {
  const raw = String(req.params[name] ?? '');
  const id = POSITIVE_INT.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

export const invalid = (details: FieldError[]) => new HttpError(400, 'invalid_input', 'host:errors.invalid_input', details);

/** The body of `POST .../order`: the ids in their new order. */
export const orderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ids'],
  properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, items: { type: 'integer', minimum: 1 } } },
};

/** `?include_inactive=true` on settings lists. */
export const inactiveQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { include_inactive: { type: 'boolean', default: false } },
};

/** Labels per language, as fields and dictionary items keep them. */
export const labelsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(LANGUAGES.map((l) => [l, { type: 'string', maxLength: 190 }])),
};

export type ApiRoute = Omit<RouteDefinition, 'api' | 'public'> & { right: string; summary: string };

/**
 * Declares CRM API routes: under /api/v1, each with a summary for the OpenAPI document, and each
 * also requiring crm.access, so a group given e.g. crm.contacts.create alone still cannot use the CRM.
 */
export function apiRoutes(ctx: PluginContext): (route: ApiRoute) => void {
  const access: RequestHandler = (req, _res, next) => next(req.user?.can('crm.access') ? undefined : new HttpError(403, 'forbidden', 'host:errors.forbidden'));
  return (route) => ctx.route({ ...route, api: true, before: route.right === 'crm.access' ? route.before : [access, ...(route.before ?? [])] });
}

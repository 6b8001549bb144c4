/**
 * Small helpers shared by the client card's routes: services resolved at request time, the
 * contact id from the path, htmx fragments with their status, flash messages and field errors.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import {
  HttpError,
  TOKENS,
  type CurrentUser,
  type ExtensionRegistry,
  type FieldError,
  type PluginContext,
  type SettingsStore,
  type UsersService,
  type ValidationService,
  type ViewRenderer,
} from '../../../host/api.js';
import { CrmTokens, type ContactQueryService, type ContactScope, type ContactsService, type HistoryWriter } from '../api.js';
import type { DictionariesService } from '../services/dictionaries-service.js';
import type { FieldsService } from '../services/fields-service.js';
import type { NotesService } from '../services/notes-service.js';
import type { ProfileTabsService } from '../services/profile-tabs.js';

export interface CardServices {
  contacts: ContactsService;
  query: ContactQueryService;
  scope: ContactScope;
  history: HistoryWriter;
  fields: FieldsService;
  dictionaries: DictionariesService;
  notes: NotesService;
  tabs: ProfileTabsService;
  views: ViewRenderer;
  users: UsersService;
  extensions: ExtensionRegistry;
  validator: ValidationService;
  logger: Logger;
  settings: SettingsStore;
}

/** The services the card needs, resolved when a request comes in (after the host started). */
export function cardServices(ctx: PluginContext): CardServices {
  return {
    contacts: ctx.get(CrmTokens.Contacts),
    query: ctx.get(CrmTokens.ContactQuery),
    scope: ctx.get(CrmTokens.Scope),
    history: ctx.get(CrmTokens.History),
    fields: ctx.get(CrmTokens.Fields),
    dictionaries: ctx.get(CrmTokens.Dictionaries),
    notes: ctx.get(CrmTokens.Notes),
    tabs: ctx.get(CrmTokens.ProfileTabs),
    views: ctx.get(TOKENS.Views),
    users: ctx.get(TOKENS.Users),
    extensions: ctx.get(TOKENS.Extensions),
    validator: ctx.get(TOKENS.Validation),
    logger: ctx.get(TOKENS.Logger),
    settings: ctx.get(TOKENS.Settings),
  };
}

export const notFound = () => new HttpError(404, 'not_found', 'host:errors.not_found');

/** A positive integer from the path, or 404 (a malformed id names no contact). */
export function idParam(req: Request, name = 'id'): number {
  const raw = String(req.params[name] ?? '');
  if (!/^\d{1,15}$/.test(raw)) throw notFound();
  const id = Number(raw);
  if (id < 1) throw notFound();
  return id;
}

export function user(req: Request): CurrentUser {
  return req.user!;
}

/**
 * An HTML fragment for htmx. 400 and 409 fragments (a form with its errors, a conflict) are
 * marked so card.js swaps them in instead of treating them as failures.
 */
export function sendFragment(res: Response, html: string, status = 200, trigger?: Record<string, unknown>): void {
  res.status(status).set('X-Crm-Fragment', '1').set('Cache-Control', 'no-store');
  // After settling, so card.js sees the swapped fragment when it refreshes the rest of the card.
  if (trigger) res.set('HX-Trigger-After-Settle', JSON.stringify(trigger));
  res.type('html').send(html);
}

/** A one-time message on the next page (the host layout shows the session's flash list). */
export function flash(req: Request, type: 'success' | 'danger' | 'info' | 'warning', message: string): void {
  const session = req.session as unknown as { flash?: Array<{ type: string; message: string }> } | undefined;
  if (!session) return;
  session.flash = [...(session.flash ?? []), { type, message }];
}

/** Field errors translated into the caller's language, by field path. */
export function errorMap(req: Request, details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as FieldError[]) {
    if (!d || typeof d.field !== 'string' || out[d.field]) continue;
    out[d.field] = req.t(d.message, { ...(d.params ?? {}), defaultValue: req.t('host:errors.invalid_input') }) as string;
  }
  return out;
}

export function isHttpError(err: unknown, ...statuses: number[]): err is HttpError {
  return err instanceof HttpError && (!statuses.length || statuses.includes(err.status));
}

/** The string value of a form field (forms post strings; arrays keep their first value). */
export function str(v: unknown): string {
  if (Array.isArray(v)) return str(v[0]);
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Everything in a form body except the CSRF token and the card's own control fields. */
export function formBody(req: Request): Record<string, unknown> {
  const body = { ...((req.body ?? {}) as Record<string, unknown>) };
  delete body._csrf;
  return body;
}

/** Shared bits of the tags plugin's routes: services at request time, ids, chip view models. */
import type { Request } from 'express';
import { HttpError, TOKENS, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import { CrmTokens, type ContactScope } from '../../crm/api.js';
import { TagsTokens, type ContactTagsService, type Tag, type TagsService } from '../api.js';
import { textOn } from '../services/names.js';

export function services(ctx: PluginContext) {
  return {
    tags: ctx.get<TagsService>(TagsTokens.Tags),
    contactTags: ctx.get<ContactTagsService>(TagsTokens.ContactTags),
    scope: ctx.get<ContactScope>(CrmTokens.Scope),
    views: ctx.get<ViewRenderer>(TOKENS.Views),
  };
}

/** A positive integer path parameter, or 404 (ids never reveal anything else). */
export function idParam(req: Request, name = 'id'): number {
  const raw = String(req.params[name] ?? '');
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

/** The list filtered by this tag. */
export const listHref = (name: string): string => `/crm/contacts?${new URLSearchParams({ tag: name })}`;

export interface Chip {
  id: number;
  name: string;
  bg: string;
  fg: string;
  href: string;
}

export const chip = (t: Tag): Chip => ({ id: t.id, name: t.name, bg: t.color, fg: textOn(t.color), href: listHref(t.name) });

export const isHtmx = (req: Request): boolean => req.get('HX-Request') === 'true';
export const wantsJson = (req: Request): boolean => (req.get('accept') ?? '').startsWith('application/json');

/** A one-time message on the next page (the host layout shows the session's flash list). */
export function flash(req: Request, type: 'success' | 'danger', message: string): void {
  const session = req.session as unknown as { flash?: Array<{ type: string; message: string }> } | undefined;
  if (session) session.flash = [...(session.flash ?? []), { type, message }];
}

/** The first translated message of an HttpError's field details, or its own message. */
export function messageOf(req: Request, err: HttpError): string {
  const first = Array.isArray(err.details) ? err.details[0] : undefined;
  return first ? req.t(first.message, first.params ?? {}) : req.t(err.messageKey, err.params ?? {});
}

/** Shared bits of the segments plugin's routes: services at request time, ids, view models. */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, flash, type PluginContext, type ViewRenderer } from '../../../host/api.js';
import { MANAGE_SHARED, SegmentsTokens, type Segment } from '../api.js';
import type { SegmentsImpl } from '../services/segments-service.js';

export function services(ctx: PluginContext) {
  return {
    segments: ctx.get<SegmentsImpl>(SegmentsTokens.Segments),
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

export const isHtmx = (req: Request): boolean => req.get('HX-Request') === 'true';

/** The client list filtered by the segment. */
export const listHref = (id: number): string => `/crm/contacts?segment_id=${id}`;

export const TYPE_ICONS: Record<Segment['type'], string> = { static: 'list-check', dynamic: 'funnel', source: 'plug' };

/** What the views show of a segment. */
export function segmentModel(req: Request, s: Segment) {
  return {
    id: s.id,
    name: s.name,
    color: s.color,
    type: s.type,
    typeLabel: req.t(`segments:types.${s.type}`),
    icon: TYPE_ICONS[s.type],
    shared: s.shared,
    archived: s.archived,
    editable: s.editable,
    mine: s.owner_id === req.user!.id,
    owner: s.owner_name,
    href: `/segments/${s.id}`,
    listHref: listHref(s.id),
    countHref: `/segments/${s.id}/count`,
    canShare: req.user!.can(MANAGE_SHARED) && (s.shared || s.editable),
  };
}

/** The first translated message of an HttpError's field details, or its own message. */
export function messageOf(req: Request, err: HttpError): string {
  const first = Array.isArray(err.details) ? err.details[0] : undefined;
  return first ? req.t(first.message, first.params ?? {}) : req.t(err.messageKey, err.params ?? {});
}

/**
 * Runs a change from a plain form and redirects to `back` (or where the change says); a refused
 * one (4xx but 404) becomes a red message on that page instead of an error page.
 */
export async function attempt(req: Request, res: Response, back: string, change: () => Promise<string | { message: string; to: string }>): Promise<void> {
  let to = back;
  try {
    const done = await change();
    flash(req, 'success', typeof done === 'string' ? done : done.message);
    if (typeof done !== 'string') to = done.to;
  } catch (err) {
    if (!(err instanceof HttpError) || err.status >= 500 || err.status === 404) throw err;
    flash(req, 'danger', messageOf(req, err));
  }
  res.redirect(303, to);
}

/** Only a path inside the app is followed back after a form (never another site). */
export function safeBack(raw: unknown, fallback: string, prefixes: string[]): string {
  if (typeof raw !== 'string' || raw.length > 4000) return fallback;
  try {
    const url = new URL(raw, 'http://local');
    if (url.origin !== 'http://local' || !prefixes.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`))) return fallback;
    return `${url.pathname}${url.search}`;
  } catch {
    return fallback;
  }
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const checked = (v: unknown): boolean => v === '1' || v === 'true' || v === 'on' || v === true;

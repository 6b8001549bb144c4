/** Helpers shared by the plugin's routes: ids from the path, form bodies, flash redirects, field errors, badge colours. */
import type { Request, Response } from 'express';
import { HttpError, type FieldError } from '../../../host/api.js';
import type { ContactClass } from '../api.js';
import { notFound, positiveId } from '../services/errors.js';

/** A positive integer path parameter; anything else names nothing (404). */
export function pathId(req: Request, name = 'id'): number {
  const id = positiveId(req.params[name]);
  if (id === null) throw notFound();
  return id;
}

export function formBody(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

export const text = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? text(v[0]) : v === undefined || v === null ? '' : String(v));

export const isHtmx = (req: Request): boolean => req.get('hx-request') === 'true';

type FlashType = 'success' | 'danger' | 'info' | 'warning';
interface FlashSession {
  flash?: Array<{ type: FlashType; message: string }>;
  save?(callback: (err?: unknown) => void): void;
}

/** Redirects with a one-time message in the host layout (the session is saved first, so the next page shows it). */
export async function redirectWithFlash(req: Request, res: Response, type: FlashType, message: string, url: string): Promise<void> {
  const session = (req as unknown as { session?: FlashSession }).session;
  if (session) {
    session.flash = [...(session.flash ?? []), { type, message }];
    await new Promise<void>((resolve) => (session.save ? session.save(() => resolve()) : resolve()));
  }
  res.redirect(303, url);
}

/** Field errors of a 400/409 for showing in a form; anything else is rethrown. */
export function formErrors(err: unknown): { status: number; errors: FieldError[] } {
  if (err instanceof HttpError && (err.status === 400 || err.status === 409)) {
    const details = Array.isArray(err.details) ? err.details : [];
    return { status: err.status, errors: details.length ? details : [{ field: '', code: err.code, message: err.messageKey }] };
  }
  throw err;
}

export function errorMap(req: Request, errors: FieldError[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const e of errors) {
    const key = (e.field || '_form').replace(/\./g, '_');
    map[key] ??= req.t(e.message, e.params ?? {}) as string;
  }
  return map;
}

export const NEUTRAL = '#6c757d';

/** Black or white text, whichever reads better on the colour. */
export function textOn(bg: string): string {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(bg.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#212529' : '#ffffff';
}

/** A class as a badge: its name on its colour (or neutral grey). */
export function classBadge(c: ContactClass): { id: number; name: string; bg: string; fg: string } {
  const bg = c.color && /^#[0-9a-f]{6}$/.test(c.color) ? c.color : NEUTRAL;
  return { id: c.id, name: c.name, bg, fg: textOn(bg) };
}

/**
 * What every CRM settings page shares: the right, the sub-navigation, flash messages, form
 * errors shown beside their fields, and rendering inside the host layout.
 */
import type { Request, Response } from 'express';
import { HttpError, LANGUAGES, TOKENS, flash, type FieldError, type ViewRenderer, type PluginContext } from '../../../host/api.js';
import type { DictionaryName } from '../api.js';

export const SETTINGS_RIGHT = 'crm.settings.manage';
export const SETTINGS_BASE = '/crm/settings';

/** URL slug of each dictionary's page. */
export const DICTIONARY_SLUGS: Record<DictionaryName, string> = {
  status: 'statuses',
  category: 'categories',
  client_type: 'client-types',
  source: 'sources',
};

const SECTIONS = [
  { id: 'fields', href: `${SETTINGS_BASE}/fields`, icon: 'ui-checks' },
  { id: 'status', href: `${SETTINGS_BASE}/statuses`, icon: 'flag' },
  { id: 'category', href: `${SETTINGS_BASE}/categories`, icon: 'tags' },
  { id: 'client_type', href: `${SETTINGS_BASE}/client-types`, icon: 'person-badge' },
  { id: 'source', href: `${SETTINGS_BASE}/sources`, icon: 'signpost-split' },
  { id: 'standard', href: `${SETTINGS_BASE}/standard-fields`, icon: 'eye-slash' },
] as const;

export type SettingsSection = (typeof SECTIONS)[number]['id'];

export function settingsNav(req: Request, active: SettingsSection) {
  return SECTIONS.map((s) => ({ ...s, title: req.t(`crm:admin.nav.${s.id}`), active: s.id === active }));
}

export type FlashType = 'success' | 'danger' | 'info' | 'warning';

/** A flash message, then a redirect (the host saves the session before redirecting). */
export function redirectWithFlash(req: Request, res: Response, type: FlashType, message: string, url: string): void {
  flash(req, type, message);
  res.redirect(url);
}

/** Form errors by field (`labels.en` becomes `labels_en` so templates can reach it). */
export type ErrorMap = Record<string, string>;

export function errorMap(req: Request, errors: FieldError[]): ErrorMap {
  const map: ErrorMap = {};
  for (const e of errors) {
    const key = (e.field || '_form').replace(/\./g, '_');
    if (!map[key]) map[key] = req.t(e.message, e.params ?? {});
  }
  return map;
}

/** The field errors of a 400/409 from a service, for showing in the form; anything else is rethrown. */
export function formErrors(err: unknown): { status: number; errors: FieldError[] } {
  if (err instanceof HttpError && (err.status === 400 || err.status === 409)) {
    const details = Array.isArray(err.details) ? err.details : [];
    return { status: err.status, errors: details.length ? details : [{ field: '', code: err.code, message: err.messageKey }] };
  }
  throw err;
}

/** A positive integer from a path parameter, or 404. */
export function idParam(req: Request, name = 'id'): number {
  const id = Number(req.params[name]);
  if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(404, 'not_found', 'host:errors.not_found');
  return id;
}

/** Form posts: a checkbox or switch is present ("on") when checked. */
export function checked(value: unknown): boolean {
  return value === 'on' || value === 'true' || value === '1' || value === true;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The label of each language from a `labels[xx]` form group, trimmed; empty ones left out. */
export function labelsOf(value: unknown): Record<string, string> {
  const raw = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const out: Record<string, string> = {};
  for (const lng of LANGUAGES) {
    const v = text(raw[lng]).trim();
    if (v) out[lng] = v;
  }
  return out;
}

/** Black or white text, whichever reads better on the colour (YIQ brightness). */
export function textOn(color: string | null | undefined): 'light' | 'dark' {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color ?? '');
  if (!m) return 'light';
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h!, 16)) as [number, number, number];
  return (r * 299 + g * 587 + b * 114) / 1000 >= 150 ? 'dark' : 'light';
}

export async function renderSettings(ctx: PluginContext, req: Request, res: Response, view: string, section: SettingsSection, data: Record<string, unknown>): Promise<void> {
  const html = await ctx.get<ViewRenderer>(TOKENS.Views).renderPage(req, `crm/settings/${view}`, {
    nav: settingsNav(req, section),
    scripts: ['/assets/vendor/sortablejs/Sortable.min.js', '/assets/p/crm/settings.js'],
    ...data,
  });
  res.type('html').send(html);
}

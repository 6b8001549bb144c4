/**
 * Tag names: how they are cleaned, checked, compared ("VIP" = "vip") and sorted, and the colours
 * a new tag gets. Pure functions, shared by the services, the filter and the views.
 */
import type { FieldError } from '../../../host/api.js';

export const MAX_NAME = 100;
/** Commas separate names in `?tag=a,b`, so a name cannot hold one. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const FORBIDDEN = /[,\u0000-\u001f\u007f]/;
const HEX = /^#[0-9a-f]{6}$/i;

/** Bootstrap's palette: readable chips with white or dark text. */
export const PALETTE = ['#0d6efd', '#6610f2', '#6f42c1', '#d63384', '#dc3545', '#fd7e14', '#ffc107', '#198754', '#20c997', '#0dcaf0', '#6c757d', '#795548'];

/** Trimmed, inner whitespace collapsed, in Unicode's composed form. */
export function cleanName(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** The comparison key: names equal under it are the same tag. */
export function foldName(raw: string): string {
  return cleanName(raw).toLowerCase();
}

/** Why a name cannot be a tag name (an i18n key), or null when it can. */
export function nameProblem(raw: unknown): string | null {
  if (typeof raw !== 'string') return 'tags:errors.name_required';
  const name = cleanName(raw);
  if (!name) return 'tags:errors.name_required';
  if ([...name].length > MAX_NAME) return 'tags:errors.name_too_long';
  if (FORBIDDEN.test(name)) return 'tags:errors.name_comma';
  return null;
}

export function nameError(field: string, raw: unknown): FieldError | null {
  const message = nameProblem(raw);
  return message ? { field, code: 'invalid', message, params: { max: MAX_NAME } } : null;
}

/** Distinct cleaned names (first spelling of each), for lists the caller sends. */
export function distinctNames(list: string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of list) {
    const name = cleanName(raw);
    if (name && !seen.has(foldName(name))) seen.set(foldName(name), name);
  }
  return [...seen.values()];
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Alphabetical, case- and accent-insensitive, then by code point so the order is total. */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function sortNames(names: Iterable<string>): string[] {
  return [...names].sort(compareNames);
}

export function isColor(value: unknown): value is string {
  return typeof value === 'string' && HEX.test(value);
}

/** The colour a new tag gets: stable for a name, spread over the palette. */
export function defaultColor(key: string): string {
  let h = 0;
  for (const ch of key) h = (Math.imul(h, 31) + ch.codePointAt(0)!) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** Dark or white text for a chip of this colour (WCAG relative luminance). */
export function textOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 0.3 ? '#212529' : '#ffffff';
}

/** A LIKE pattern for `text` with `!` as the escape character (the same in both dialects). */
export function likeEscape(text: string): string {
  return text.replace(/[!%_]/g, '!$&');
}

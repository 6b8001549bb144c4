/**
 * What each cell of the client list shows, as plain data the view renders (and escapes): text,
 * a coloured status badge, a mail or phone link, a date in the user's language.
 */
import type { Contact, DictionaryItem } from '../api.js';
import { DictionariesService } from '../services/dictionaries-service.js';
import type { ColumnDef } from './list-columns.js';

export interface Cell {
  type: 'text' | 'badge' | 'email' | 'phone' | 'date' | 'check' | 'url' | 'empty' | 'error';
  text?: string;
  href?: string;
  title?: string;
  /** Badge colours, already checked to be CSS colours. */
  bg?: string;
  fg?: string;
  checked?: boolean;
}

export interface CellContext {
  language: string;
  dictionary: Map<number, DictionaryItem>;
  users: Map<number, string>;
  /** Values of contributed columns for this page, by column id then contact id. */
  contributed: Map<string, Map<number, string>>;
  /** Contributed columns whose values could not be loaded. */
  failed: Set<string>;
  failedText: string;
}

const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** The colour when it is a plain hex colour (it goes into a style attribute), else null. */
export function safeColor(color: string | null | undefined): string | null {
  return color && HEX.test(color) ? color : null;
}

/**
 * Dark or white text for a badge of this colour, by WCAG relative luminance. The cut is above the
 * strict contrast crossover (0.18) so mid greens and blues keep white text, as Bootstrap's own do.
 */
export function textColorOn(hex: string): string {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  return luminance > 0.3 ? '#212529' : '#ffffff';
}

function badge(item: DictionaryItem | undefined, language: string): Cell {
  if (!item) return { type: 'empty' };
  const text = DictionariesService.label(item, language);
  if (!item.color || !HEX.test(item.color)) return { type: 'badge', text, bg: '#e9ecef', fg: '#212529' };
  return { type: 'badge', text, bg: item.color, fg: textColorOn(item.color) };
}

const dateFormats = new Map<string, { date: Intl.DateTimeFormat; full: Intl.DateTimeFormat; day: Intl.DateTimeFormat }>();
function formats(language: string) {
  let f = dateFormats.get(language);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat(language, { dateStyle: 'medium' }),
      full: new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short' }),
      day: new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' }),
    };
    dateFormats.set(language, f);
  }
  return f;
}

function dateCell(iso: string | null, language: string): Cell {
  if (!iso) return { type: 'empty' };
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { type: 'empty' };
  return { type: 'date', text: formats(language).date.format(d), title: formats(language).full.format(d) };
}

function primary<T extends { value: string; primary?: boolean }>(list: T[]): T | undefined {
  return list.find((c) => c.primary) ?? list[0];
}

const tel = (value: string) => `tel:${value.replace(/\s*(ext\.|x)\s*/i, ';ext=').replace(/[^\d+;=a-z]/gi, '')}`;

function customCell(col: ColumnDef, contact: Contact, language: string): Cell {
  const field = col.field!;
  const value = contact.custom[field.key];
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return { type: 'empty' };
  switch (field.type) {
    case 'number':
      return { type: 'text', text: new Intl.NumberFormat(language).format(Number(value)) };
    case 'money':
      return { type: 'text', text: new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(value)) };
    case 'date': {
      const d = new Date(`${String(value)}T00:00:00Z`);
      return Number.isNaN(d.getTime()) ? { type: 'text', text: String(value) } : { type: 'date', text: formats(language).day.format(d) };
    }
    case 'checkbox':
      return { type: 'check', checked: value === true };
    case 'multi_select':
      return { type: 'text', text: (Array.isArray(value) ? value : [value]).join(', ') };
    case 'url':
      return /^https?:\/\//i.test(String(value)) ? { type: 'url', text: String(value).replace(/^https?:\/\/(www\.)?/i, ''), href: String(value) } : { type: 'text', text: String(value) };
    case 'email':
      return { type: 'email', text: String(value), href: `mailto:${String(value)}` };
    case 'phone':
      return { type: 'phone', text: String(value), href: tel(String(value)) };
    case 'long_text': {
      const text = String(value);
      return { type: 'text', text: text.length > 80 ? `${text.slice(0, 79)}…` : text, title: text };
    }
    default:
      return { type: 'text', text: String(value) };
  }
}

export function cellFor(col: ColumnDef, contact: Contact, ctx: CellContext): Cell {
  if (col.source === 'custom') return customCell(col, contact, ctx.language);
  if (col.source === 'ext') {
    if (ctx.failed.has(col.id)) return { type: 'error', text: '!', title: ctx.failedText };
    const text = ctx.contributed.get(col.id)?.get(contact.id);
    return text ? { type: 'text', text } : { type: 'empty' };
  }
  switch (col.id) {
    case 'status':
      return contact.status_id ? badge(ctx.dictionary.get(contact.status_id), ctx.language) : { type: 'empty' };
    case 'category': {
      const item = contact.category_id ? ctx.dictionary.get(contact.category_id) : undefined;
      return item ? { type: 'text', text: DictionariesService.label(item, ctx.language) } : { type: 'empty' };
    }
    case 'email': {
      const email = primary(contact.emails);
      return email ? { type: 'email', text: email.value, href: `mailto:${email.value}`, title: contact.emails.map((e) => e.value).join(', ') } : { type: 'empty' };
    }
    case 'phone': {
      const phone = primary(contact.phones);
      return phone ? { type: 'phone', text: phone.value, href: tel(phone.value), title: contact.phones.map((p) => p.value).join(', ') } : { type: 'empty' };
    }
    case 'job_title':
      return contact.job_title ? { type: 'text', text: contact.job_title } : { type: 'empty' };
    case 'responsible': {
      const name = contact.responsible_id ? ctx.users.get(contact.responsible_id) : undefined;
      return name ? { type: 'text', text: name } : { type: 'empty' };
    }
    case 'created_at':
      return dateCell(contact.created_at, ctx.language);
    case 'updated_at':
      return dateCell(contact.updated_at, ctx.language);
    case 'deleted_at':
      return dateCell(contact.deleted_at, ctx.language);
    default:
      return { type: 'empty' };
  }
}

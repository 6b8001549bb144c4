/**
 * How card values look: labels of fields, dictionary items, users and companies looked up once
 * per request, and each value turned into display items (text, link, colour, note) that the
 * views render escaped. History uses the same formatting as the card.
 */
import type { Request } from 'express';
import type { UserRecord } from '../../../host/api.js';
import type { Address, Channel, Contact, DictionaryItem, FieldDefinition, Messenger, TaxId } from '../api.js';
import { DictionariesService } from '../services/dictionaries-service.js';
import { FieldsService } from '../services/fields-service.js';
import type { FieldSpec } from './card-fields.js';
import { isHttpError, type CardServices } from './card-support.js';
import { hiddenStandardFields } from '../services/standard-fields.js';

export interface DisplayItem {
  text: string;
  href?: string;
  external?: boolean;
  /** A small grey note after the value: a label ("work"), a type ("NIP"). */
  note?: string;
  /** A badge in this colour (statuses), with its text colour. */
  color?: string | null;
  fg?: string;
  badge?: boolean;
  primary?: boolean;
  consent?: boolean;
  icon?: string;
  multiline?: boolean;
}

export interface CompanyRef {
  id: number;
  name: string;
  deleted: boolean;
}

/** Everything a card request looks up besides the contact, loaded once. */
export class CardLookups {
  private readonly companies = new Map<number, Promise<CompanyRef | null>>();

  private constructor(
    private readonly s: CardServices,
    private readonly req: Request,
    readonly dictionary: DictionaryItem[],
    readonly users: UserRecord[],
    readonly customFields: FieldDefinition[],
    /** Standard fields an administrator hid (Contact settings > Standard fields). */
    readonly hiddenFields: Set<string>,
  ) {}

  static async load(s: CardServices, req: Request): Promise<CardLookups> {
    const [dictionary, users, customFields, hiddenFields] = await Promise.all([s.dictionaries.all(), s.users.list(), s.fields.all(), hiddenStandardFields(s.settings)]);
    return new CardLookups(s, req, dictionary, users, customFields, hiddenFields);
  }

  get isAdmin(): boolean {
    return Boolean(this.req.user?.isAdmin);
  }

  get language(): string {
    return this.req.language;
  }

  t(key: string, options?: Record<string, unknown>): string {
    return this.req.t(key, options) as string;
  }

  item(id: unknown): DictionaryItem | null {
    return this.dictionary.find((i) => i.id === Number(id)) ?? null;
  }

  itemLabel(item: DictionaryItem): string {
    return DictionariesService.label(item, this.language);
  }

  user(id: unknown): UserRecord | null {
    return this.users.find((u) => u.id === Number(id)) ?? null;
  }

  /** A company the user may see (trashed ones too), or null; each looked up once per request. */
  company(id: unknown): Promise<CompanyRef | null> {
    const n = Number(id);
    if (!Number.isInteger(n) || n < 1) return Promise.resolve(null);
    let found = this.companies.get(n);
    if (!found) {
      found = this.s.contacts.get(this.req.user!, n, { withDeleted: true }).then(
        (c) => ({ id: c.id, name: c.name, deleted: Boolean(c.deleted_at) }),
        (err: unknown) => {
          if (isHttpError(err, 404)) return null;
          throw err;
        },
      );
      this.companies.set(n, found);
    }
    return found;
  }

  /** The field's label in the request's language. */
  label(spec: FieldSpec): string {
    if (spec.custom) return FieldsService.label(spec.custom, this.language);
    return this.t(`crm:card.field.${spec.key}`);
  }

  formatDate(iso: string): string {
    const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(this.language, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
  }

  formatNumber(n: number, money = false): string {
    return new Intl.NumberFormat(this.language, money ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : { maximumFractionDigits: 10 }).format(n);
  }
}

/** Colours come from administrators: only plain hex colours reach a style attribute. */
export function safeColor(color: string | null | undefined): string | null {
  return color && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : null;
}

/** Black or white text, whichever reads better on the colour. */
export function textOn(bg: string): string {
  const hex = bg.length === 4 ? bg.replace(/^#(.)(.)(.)$/, '#$1$1$2$2$3$3') : bg;
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#212529' : '#ffffff';
}

/** `tel:` wants digits and an optional extension, not the spaced display form. */
export function telHref(phone: string): string {
  const [number, ext] = phone.split(/\s*ext\.\s*/i);
  return `tel:${(number ?? '').replace(/[^\d+]/g, '')}${ext ? `;ext=${ext.replace(/\D/g, '')}` : ''}`;
}

const MESSENGER_ICONS: Record<Messenger['type'], string> = { telegram: 'telegram', whatsapp: 'whatsapp', skype: 'skype' };

function messengerHref(m: Messenger): string | undefined {
  if (m.type === 'telegram') return `https://t.me/${encodeURIComponent(m.value)}`;
  if (m.type === 'whatsapp') return `https://wa.me/${m.value.replace(/\D/g, '')}`;
  if (m.type === 'skype') return `skype:${encodeURIComponent(m.value)}?chat`;
  return undefined;
}

/** Only http(s) links become hrefs: a stored value never turns into a `javascript:` link. */
function safeUrl(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? url : undefined;
}

const isEmpty = (v: unknown): boolean => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

export function addressText(a: Address): string {
  const cityLine = [a.zip, a.city].filter(Boolean).join(' ');
  return [a.street, cityLine, a.region, a.country].filter(Boolean).join(', ');
}

/** A value as display items; empty values give an empty list. */
export async function displayItems(spec: FieldSpec, value: unknown, l: CardLookups): Promise<DisplayItem[]> {
  if (isEmpty(value)) return [];
  switch (spec.editor) {
    case 'text':
    case 'select':
      return [{ text: String(value) }];
    case 'textarea':
      return [{ text: String(value), multiline: true }];
    case 'date':
      return [{ text: l.formatDate(String(value)) }];
    case 'number':
    case 'money':
      return [{ text: Number.isFinite(Number(value)) ? l.formatNumber(Number(value), spec.editor === 'money') : String(value) }];
    case 'email':
      return [{ text: String(value), href: `mailto:${String(value)}` }];
    case 'tel':
      return [{ text: String(value), href: telHref(String(value)) }];
    case 'url':
      return [{ text: String(value), href: safeUrl(String(value)), external: true }];
    case 'multiselect':
      return (Array.isArray(value) ? value : [value]).map((v) => ({ text: String(v), badge: true }));
    case 'checkbox':
      return [{ text: l.t(value ? 'crm:card.yes' : 'crm:card.no') }];
    case 'dictionary': {
      const item = l.item(value);
      const color = safeColor(item?.color);
      return [{ text: item ? l.itemLabel(item) : `#${String(value)}`, badge: true, color, fg: color ? textOn(color) : undefined }];
    }
    case 'user': {
      const u = l.user(value);
      return [{ text: u ? u.name : `#${String(value)}`, icon: 'person' }];
    }
    case 'company': {
      const c = await l.company(value);
      if (!c) return [{ text: l.t('crm:card.hidden_company') }];
      return [{ text: c.name, href: `/crm/contacts/${c.id}`, icon: 'building', note: c.deleted ? l.t('crm:card.in_trash_short') : undefined }];
    }
    case 'channels': {
      const list = value as Channel[];
      return list.map((c) => {
        const href = spec.channel === 'emails' ? `mailto:${c.value}` : spec.channel === 'phones' ? telHref(c.value) : safeUrl(c.value);
        return {
          text: c.value,
          href,
          external: spec.channel === 'websites',
          note: c.label ?? undefined,
          primary: list.length > 1 && Boolean(c.primary),
          consent: spec.channel === 'emails' && Boolean(c.consent),
        };
      });
    }
    case 'messengers':
      return (value as Messenger[]).map((m) => ({ text: m.value, href: messengerHref(m), external: true, note: l.t(`crm:card.messenger.${m.type}`), icon: MESSENGER_ICONS[m.type] }));
    case 'domains':
      return (value as string[]).map((d) => ({ text: d, href: `https://${d}`, external: true }));
    case 'tax_ids':
      return (value as TaxId[]).map((t) => ({ text: t.value, note: l.t(`crm:card.tax_id.${t.type}`) }));
    case 'addresses':
      return (value as Address[]).map((a) => ({ text: addressText(a), note: a.label ?? undefined, icon: 'geo-alt' }));
  }
}

/** A value as one line of text (History's old and new values). */
export async function displayText(spec: FieldSpec | null, value: unknown, l: CardLookups): Promise<string> {
  if (isEmpty(value)) return '';
  if (!spec) return typeof value === 'string' ? value : JSON.stringify(value);
  return (await displayItems(spec, value, l)).map((i) => (i.note ? `${i.text} (${i.note})` : i.text)).join(', ');
}

/** The contact's main email or phone: the primary one, else the first. */
export function mainChannel(list: Channel[]): Channel | null {
  return list.find((c) => c.primary) ?? list[0] ?? null;
}

/** Up to two initials for the avatar. */
export function initials(contact: Pick<Contact, 'kind' | 'first_name' | 'last_name' | 'name'>): string {
  const parts = contact.kind === 'person' && (contact.first_name || contact.last_name)
    ? [contact.first_name, contact.last_name]
    : contact.name.split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w)).slice(0, 2);
  const letters = parts.filter(Boolean).map((p) => Array.from(p!.replace(/^[^\p{L}\p{N}]+/u, ''))[0] ?? '').join('');
  return letters.toUpperCase() || '?';
}

/** A stable pleasant background for the initials avatar, from the contact id. */
export function avatarHue(id: number): number {
  return (id * 47) % 360;
}

/**
 * Normalization of contact channels: e-mail addresses, phone numbers, domains, web addresses and
 * messenger handles. Every function returns the canonical form to store, or null when the value is
 * not usable (callers keep the raw text if they want to).
 */
import { domainToASCII } from 'node:url';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

export type { CountryCode } from 'libphonenumber-js';

export const DEFAULT_PHONE_COUNTRY: CountryCode = 'PL';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * A host name in ASCII (punycode), lower case, without a trailing dot, or null: at least two labels of
 * 1–63 letters, digits and inner hyphens, at most 253 characters, and an alphabetic or punycode
 * top-level label (so IP addresses and single-label names such as "localhost" are refused).
 */
function asciiHost(host: string): string | null {
  const ascii = domainToASCII(host.trim().replace(/\.$/, ''));
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  return TLD.test(labels[labels.length - 1]!) ? ascii : null;
}

/** RFC 5322 dot-atom local part, ASCII only. */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * An e-mail address trimmed and in lower case, or null. A "mailto:" prefix is dropped. The local part
 * must be an ASCII dot-atom of at most 64 characters (Unicode local parts are refused: too few mail
 * servers accept them); a Unicode domain is converted to punycode ("jan@żółw.pl" → "jan@xn--w-uga1v8h.pl").
 */
export function normalizeEmail(v: string): string | null {
  const s = v.trim().replace(/^mailto:/i, '').toLowerCase();
  const at = s.lastIndexOf('@');
  if (at <= 0) return null;
  const local = s.slice(0, at);
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  const domain = asciiHost(s.slice(at + 1));
  if (!domain) return null;
  const email = `${local}@${domain}`;
  return email.length <= 254 ? email : null;
}

export interface NormalizedPhone {
  /** E.164 without the extension, e.g. "+48600123456". */
  e164: string;
  /** International format, with the extension if there is one: "+1 283 437 3886 ext. 88321". */
  display: string;
  /** Extension digits, when the number had one ("x123", "ext. 123", "#123", "доб. 123", "wew. 123"). */
  extension?: string;
}

/** Extension words libphonenumber does not know: Polish "wew."/"wewn.", Ukrainian "дод.", Russian "вн.". */
const LOCAL_EXTENSION = /\s*(?:wewn?|дод|вн)\.?\s*(\d{1,10})\s*$/iu;

/**
 * A phone number validated with libphonenumber-js (isValid(), the default "min" metadata), or null.
 * Numbers without a "+" are read as national numbers of defaultCountry (PL unless given). A leading
 * "00" also counts as the international prefix, which libphonenumber does not assume for countries
 * that dial out with something else (the US uses 011): "001-808-617-6467" is +1 808 617 6467. The
 * number as written is tried first, so a valid national number starting with 00 is never reinterpreted.
 */
export function normalizePhone(v: string, defaultCountry: CountryCode = DEFAULT_PHONE_COUNTRY): NormalizedPhone | null {
  const s = v.trim().replace(LOCAL_EXTENSION, ' ext. $1');
  if (!s) return null;
  const candidates = [s];
  if (/^00[1-9]/.test(s)) candidates.push(`+${s.slice(2)}`);
  for (const candidate of candidates) {
    const phone = parsePhoneNumberFromString(candidate, defaultCountry);
    if (!phone?.isValid()) continue;
    const result: NormalizedPhone = { e164: phone.number, display: phone.formatInternational() };
    if (phone.ext) result.extension = phone.ext;
    return result;
  }
  return null;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The bare domain of a web address, e-mail address or host name, or null: scheme, user info, port,
 * path, query, a trailing dot and a leading "www." are dropped; lower case; Unicode to punycode.
 * "https://www.Example.com:8080/a?b" → "example.com"; "jan@Żółw.pl" → "xn--w-uga1v8h.pl".
 */
export function normalizeDomain(v: string): string | null {
  let s = v.trim().replace(/^mailto:/i, '');
  if (!s) return null;
  if (!SCHEME.test(s)) {
    if (s.includes('@') && !s.includes('/')) s = s.slice(s.lastIndexOf('@') + 1);
    s = `http://${s.replace(/^\/\//, '')}`;
  }
  let host: string;
  try {
    host = new URL(s).hostname;
  } catch {
    return null;
  }
  const ascii = asciiHost(host);
  if (!ascii) return null;
  const bare = ascii.replace(/^www\./, '');
  return bare.includes('.') ? bare : ascii; // "www.com" stays itself
}

/**
 * A web address (http or https only) in WHATWG serialized form, or null. "https://" is added when no
 * scheme is given; the host must be a valid domain name (see normalizeDomain), and is lower-cased and
 * converted to punycode; addresses with a user name or password are refused. "Example.com/about" → "https://example.com/about".
 */
export function normalizeUrl(v: string): string | null {
  let s = v.trim();
  if (!s || /\s/.test(s)) return null;
  if (s.startsWith('//')) s = `https:${s}`;
  else if (!SCHEME.test(s)) s = `https://${s}`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null; // also catches "mailto:jan@example.com"
  if (!asciiHost(url.hostname)) return null;
  return url.href;
}

export type MessengerKind = 'skype' | 'whatsapp' | 'telegram';

const TELEGRAM_PREFIX = /^(?:(?:https?:\/\/)?(?:www\.)?(?:t|telegram)\.me\/|tg:\/\/resolve\?domain=|@)/i;
const WHATSAPP_LINK = /^(?:https?:\/\/)?(?:wa\.me|api\.whatsapp\.com\/send\?phone=)\/?/i;

/**
 * A messenger handle in canonical form, or null.
 * - telegram: "@name", "t.me/name", "https://t.me/name" → "name"; 5–32 of [A-Za-z0-9_], lower case.
 * - whatsapp: a phone number → E.164 (national numbers read with defaultCountry); wa.me links are
 *   international without "+"; numbers with an extension are refused.
 * - skype: "live:…" IDs (from Microsoft accounts) or classic names of 6–32 characters starting with a
 *   letter ([a-z0-9._,-]); a "skype:" URI prefix and "?call" suffix are dropped; lower case.
 */
export function normalizeMessenger(
  kind: MessengerKind,
  v: string,
  defaultCountry: CountryCode = DEFAULT_PHONE_COUNTRY,
): string | null {
  const s = v.trim();
  switch (kind) {
    case 'telegram': {
      const name = s.replace(TELEGRAM_PREFIX, '').replace(/[/?].*$/, '');
      return /^[A-Za-z0-9_]{5,32}$/.test(name) ? name.toLowerCase() : null;
    }
    case 'whatsapp': {
      const link = WHATSAPP_LINK.test(s);
      const number = link ? `+${s.replace(WHATSAPP_LINK, '').replace(/[/?&].*$/, '')}` : s;
      const phone = normalizePhone(number, defaultCountry);
      return phone && !phone.extension ? phone.e164 : null;
    }
    case 'skype': {
      const name = s.replace(/^skype:/i, '').replace(/\?.*$/, '').toLowerCase();
      if (/^live:[a-z0-9._,-]{1,64}$/.test(name)) return name;
      return /^[a-z][a-z0-9._,-]{5,31}$/.test(name) ? name : null;
    }
  }
}

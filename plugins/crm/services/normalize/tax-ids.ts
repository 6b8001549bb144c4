/**
 * Tax and registry identifiers of Poland (NIP, REGON, PESEL), Russia (INN), Ukraine (EDRPOU) and EU
 * VAT numbers: format and checksum validation, and detection of the candidate types of a value.
 */

export type TaxIdType = 'nip' | 'regon' | 'pesel' | 'inn' | 'edrpou' | 'vat_eu';

export const TAX_ID_TYPES: readonly TaxIdType[] = ['nip', 'regon', 'pesel', 'inn', 'edrpou', 'vat_eu'];

export type TaxIdResult = { ok: true; normalized: string } | { ok: false; reason: 'format' | 'checksum' };

/** VAT prefixes of the EU VIES system (Greece is EL; XI is Northern Ireland). */
export const EU_VAT_PREFIXES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'EL', 'ES', 'FI', 'FR', 'HR', 'HU',
  'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'XI',
]);

/** Drops whitespace and dashes (hyphen, en/em dash, minus) and upper-cases letters. */
function compact(value: string): string {
  return value.replace(/[\s\-\u2010-\u2015\u2212]+/gu, '').toUpperCase();
}

function weighted(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * weights[i]!;
  return sum;
}

const ok = (normalized: string): TaxIdResult => ({ ok: true, normalized });
const FORMAT: TaxIdResult = { ok: false, reason: 'format' };
const CHECKSUM: TaxIdResult = { ok: false, reason: 'checksum' };
const last = (digits: string): number => Number(digits[digits.length - 1]);

/** NIP: 10 digits; weights 6,5,7,2,3,4,5,6,7, sum mod 11 is the check digit, and 10 is never valid. */
function nipChecksum(d: string): boolean {
  const check = weighted(d, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
  return check !== 10 && check === last(d);
}

/** REGON: 9 digits (weights 8,9,2,3,4,5,6,7) or 14 digits (2,4,8,5,0,9,7,3,6,1,2,4,8); mod 11, 10 → 0. */
function regonChecksum(d: string): boolean {
  const weights = d.length === 9 ? [8, 9, 2, 3, 4, 5, 6, 7] : [2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8];
  return (weighted(d, weights) % 11) % 10 === last(d);
}

/** The birth date encoded in a PESEL: month + 80 for 1800s, +0 1900s, +20 2000s, +40 2100s, +60 2200s. */
function peselDateValid(d: string): boolean {
  const yy = Number(d.slice(0, 2));
  const mm = Number(d.slice(2, 4));
  const dd = Number(d.slice(4, 6));
  const century = [1900, 2000, 2100, 2200, 1800][Math.floor(mm / 20)]!;
  const month = mm % 20;
  if (month < 1 || month > 12 || dd < 1) return false;
  const year = century + yy;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return dd <= daysInMonth;
}

function peselChecksum(d: string): boolean {
  return (10 - (weighted(d, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10)) % 10 === last(d);
}

/** INN: 10 digits with one check digit or 12 digits with two; each is weighted sum mod 11 mod 10. */
function innChecksum(d: string): boolean {
  const check = (weights: number[]): number => (weighted(d, weights) % 11) % 10;
  if (d.length === 10) return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) === Number(d[9]);
  return (
    check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === Number(d[10]) &&
    check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === Number(d[11])
  );
}

/**
 * EDRPOU: 8 digits; weights 1..7, or 7,1,2,3,4,5,6 for numbers from 30,000,000 up to (not including)
 * 60,000,000; sum mod 11; when that is 10 the weights are raised by 2 and the new sum is taken mod 11
 * mod 10.
 */
function edrpouChecksum(d: string): boolean {
  const n = Number(d);
  let weights = n >= 30_000_000 && n < 60_000_000 ? [7, 1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7];
  let check = weighted(d, weights) % 11;
  if (check === 10) {
    weights = weights.map((w) => w + 2);
    check = (weighted(d, weights) % 11) % 10;
  }
  return check === last(d);
}

function validateVat(s: string): TaxIdResult {
  let country = s.slice(0, 2);
  const rest = s.slice(2);
  if (country === 'GR') country = 'EL';
  if (!EU_VAT_PREFIXES.has(country) || !/^[A-Z0-9]{2,12}$/.test(rest)) return FORMAT;
  if (country === 'PL') {
    if (!/^\d{10}$/.test(rest)) return FORMAT;
    if (!nipChecksum(rest)) return CHECKSUM;
  }
  return ok(country + rest);
}

/**
 * Validates an identifier of the given type. Whitespace and dashes are dropped, letters upper-cased,
 * and an optional country prefix is dropped where the number is written with one: "PL" for a NIP,
 * "UA" for an EDRPOU. `normalized` is the bare digits (for vat_eu: prefix and number, e.g.
 * "PL8567346215"; a Greek "GR" prefix becomes the VIES "EL"). The reason is 'format' for a wrong
 * length or character (and for a PESEL whose birth date does not exist), 'checksum' otherwise.
 * Only Polish VAT numbers get a checksum; other countries are checked for format only.
 */
export function validateTaxId(type: TaxIdType, value: string): TaxIdResult {
  let s = compact(value);
  switch (type) {
    case 'nip':
      if (s.startsWith('PL')) s = s.slice(2);
      if (!/^\d{10}$/.test(s)) return FORMAT;
      return nipChecksum(s) ? ok(s) : CHECKSUM;
    case 'regon':
      if (!/^(?:\d{9}|\d{14})$/.test(s)) return FORMAT;
      if (s.length === 14 && !regonChecksum(s.slice(0, 9))) return CHECKSUM;
      return regonChecksum(s) ? ok(s) : CHECKSUM;
    case 'pesel':
      if (!/^\d{11}$/.test(s) || !peselDateValid(s)) return FORMAT;
      return peselChecksum(s) ? ok(s) : CHECKSUM;
    case 'inn':
      if (!/^(?:\d{10}|\d{12})$/.test(s)) return FORMAT;
      return innChecksum(s) ? ok(s) : CHECKSUM;
    case 'edrpou':
      if (s.startsWith('UA')) s = s.slice(2);
      if (!/^\d{8}$/.test(s)) return FORMAT;
      return edrpouChecksum(s) ? ok(s) : CHECKSUM;
    case 'vat_eu':
      return validateVat(s);
  }
}

/**
 * The types a value could be, judged by shape only (length, digits, prefix), not by checksum; in a
 * fixed order: 8 digits edrpou; 9 or 14 regon; 10 nip, inn; 11 pesel; 12 inn; "PL" + 10 digits nip,
 * vat_eu; "UA" + 8 digits edrpou; another EU prefix + 2–12 letters and digits vat_eu. Run
 * validateTaxId on each candidate to narrow them down.
 */
export function detectTaxIdType(value: string): TaxIdType[] {
  const s = compact(value);
  if (/^\d+$/.test(s)) {
    switch (s.length) {
      case 8:
        return ['edrpou'];
      case 9:
      case 14:
        return ['regon'];
      case 10:
        return ['nip', 'inn'];
      case 11:
        return ['pesel'];
      case 12:
        return ['inn'];
      default:
        return [];
    }
  }
  if (/^PL\d{10}$/.test(s)) return ['nip', 'vat_eu'];
  if (/^UA\d{8}$/.test(s)) return ['edrpou'];
  const country = s.slice(0, 2);
  if ((EU_VAT_PREFIXES.has(country) || country === 'GR') && /^[A-Z0-9]{2,12}$/.test(s.slice(2))) return ['vat_eu'];
  return [];
}

/**
 * Phone numbers that libphonenumber accepts as valid, per country: mobile ranges and city codes
 * that are really in use. Each candidate is checked with the CRM's own normalizePhone and drawn
 * again if refused, so demo data never trips the validation the UI applies.
 */
import { normalizePhone, type NormalizedPhone } from '../services/normalize/channels.js';
import type { Random } from './random.js';

export type PhoneCountry = 'PL' | 'RU' | 'UA' | 'US' | 'GB';

interface Plan {
  mobile: string[];
  landline: string[];
  /** Digits after the prefix, for mobile and landline numbers. */
  rest: (prefix: string) => number;
}

const PLANS: Record<PhoneCountry, Plan & { code: string }> = {
  PL: {
    code: '+48',
    mobile: ['500', '501', '502', '505', '510', '512', '530', '535', '570', '600', '601', '602', '604', '660', '661', '664', '690', '691', '694', '721', '724', '730', '733', '781', '784', '790', '791', '792', '880', '881', '884'],
    landline: ['22', '12', '61', '71', '58', '42', '32', '81', '91', '52'],
    rest: (p) => 9 - p.length,
  },
  RU: {
    code: '+7',
    mobile: ['903', '905', '906', '909', '910', '915', '916', '917', '919', '925', '926', '929', '950', '951', '960', '962', '977', '985', '999'],
    landline: ['495', '499', '812', '843', '383', '343'],
    rest: (p) => 10 - p.length,
  },
  UA: {
    code: '+380',
    mobile: ['50', '63', '66', '67', '68', '73', '93', '95', '96', '97', '98', '99'],
    landline: ['44', '32', '57', '48', '56'],
    rest: (p) => 9 - p.length,
  },
  US: {
    code: '+1',
    // Area code plus an exchange starting 2–9: NANP numbers never have 0 or 1 there.
    mobile: ['212', '646', '917', '415', '650', '312', '773', '617', '206', '512', '305', '404', '303', '702', '213'],
    landline: ['212', '415', '312', '617', '206', '202'],
    rest: () => 7,
  },
  GB: {
    code: '+44',
    mobile: ['7400', '7411', '7480', '7500', '7525', '7700', '7712', '7723', '7766', '7800', '7810', '7823', '7900', '7911', '7944', '7967'],
    landline: ['20', '161', '121', '131', '113'],
    rest: (p) => 10 - p.length,
  },
};

function candidate(r: Random, country: PhoneCountry, mobile: boolean): string {
  const plan = PLANS[country];
  const prefix = r.pick(mobile ? plan.mobile : plan.landline);
  let rest = '';
  const length = plan.rest(prefix);
  // No leading 0/1 after the area code (NANP exchanges, Polish and Ukrainian local numbers).
  rest += String(r.int(2, 9));
  rest += r.digits(length - 1);
  return `${plan.code}${prefix}${rest}`;
}

/** A valid number of the country, normalized as the CRM stores it. */
export function phone(r: Random, country: PhoneCountry, mobile = true): NormalizedPhone {
  for (let attempt = 0; attempt < 50; attempt++) {
    const parsed = normalizePhone(candidate(r, country, mobile));
    if (parsed) return parsed;
  }
  throw new Error(`could not draw a valid ${country} phone number`);
}

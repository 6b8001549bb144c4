/**
 * Tax and registry numbers with correct check digits (the rules of services/normalize/tax-ids.ts):
 * NIP and REGON for Polish companies, PESEL for Polish persons (encoding their birthday and sex),
 * INN for Russian companies (10 digits) and persons (12), EDRPOU for Ukrainian companies.
 */
import type { Gender } from './names.js';
import type { Random } from './random.js';

function weighted(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * weights[i]!;
  return sum;
}

/** Codes of real tax offices (Warsaw, Kraków, Poznań, Wrocław, Gdańsk, Łódź, Katowice...). */
const NIP_OFFICES = ['525', '526', '527', '521', '113', '676', '677', '679', '779', '778', '894', '898', '583', '584', '725', '727', '634', '954', '851', '946'];

export function nip(r: Random): string {
  for (;;) {
    const body = r.pick(NIP_OFFICES) + r.digits(6);
    const check = weighted(body, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
    if (check !== 10) return body + String(check);
  }
}

/** 9-digit REGON; the first two digits are a voivodeship code. */
export function regon(r: Random): string {
  const body = String(r.pick([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31])).padStart(2, '0') + r.digits(6);
  return body + String((weighted(body, [8, 9, 2, 3, 4, 5, 6, 7]) % 11) % 10);
}

/** PESEL of a person born on `birthday` (YYYY-MM-DD): even tenth digit for women, odd for men. */
export function pesel(r: Random, birthday: string, gender: Gender): string {
  const [year, month, day] = birthday.split('-').map(Number) as [number, number, number];
  const offset = year >= 2000 ? 20 : 0;
  const sexDigit = gender === 'f' ? r.pick([0, 2, 4, 6, 8]) : r.pick([1, 3, 5, 7, 9]);
  const body = String(year % 100).padStart(2, '0') + String(month + offset).padStart(2, '0') + String(day).padStart(2, '0') + r.digits(3) + String(sexDigit);
  return body + String((10 - (weighted(body, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10)) % 10);
}

/** Moscow, St Petersburg, Moscow region, Tatarstan, Novosibirsk, Sverdlovsk, Krasnodar, Samara. */
const INN_REGIONS = ['77', '78', '50', '16', '54', '66', '23', '63'];

const innCheck = (digits: string, weights: number[]) => String((weighted(digits, weights) % 11) % 10);

/** 10-digit INN of an organization. */
export function innCompany(r: Random): string {
  const body = r.pick(INN_REGIONS) + String(r.int(1, 40)).padStart(2, '0') + r.digits(5);
  return body + innCheck(body, [2, 4, 10, 3, 5, 9, 4, 6, 8]);
}

/** 12-digit INN of a person. */
export function innPerson(r: Random): string {
  const body = r.pick(INN_REGIONS) + String(r.int(1, 40)).padStart(2, '0') + r.digits(6);
  const first = body + innCheck(body, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  return first + innCheck(first, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
}

/** 8-digit EDRPOU of a Ukrainian legal entity (they start with 0–4). */
export function edrpou(r: Random): string {
  const body = String(r.int(0, 4)) + r.digits(6);
  const n = Number(body) * 10;
  let weights = n >= 30_000_000 && n < 60_000_000 ? [7, 1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7];
  let check = weighted(body, weights) % 11;
  if (check === 10) {
    weights = weights.map((w) => w + 2);
    check = (weighted(body, weights) % 11) % 10;
  }
  return body + String(check);
}

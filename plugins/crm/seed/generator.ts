/**
 * Deterministic demo contacts: companies with their employees and private persons from Poland,
 * Russia, Ukraine and English-speaking countries, with names in their correct grammatical forms,
 * e-mail addresses derived from names and company domains, valid phones and tax numbers,
 * addresses, dictionary values, responsible users and custom-field values. The same seed, refs
 * and `now` give the same contacts, so benchmarks and tests run on known data.
 */
import type { Channel, ContactInput, ContactKind, Messenger, TaxId } from '../api.js';
import { company as drawCompany, type DemoCompany } from './companies.js';
import type { DemoFields } from './demo-fields.js';
import { edrpou, innCompany, innPerson, nip, pesel, regon } from './identifiers.js';
import { FIRST_NAMES, PATRONYMICS, SURNAMES, feminineSurname, patronymic, type DemoLocale, type Gender } from './names.js';
import { phone, type PhoneCountry } from './phones.js';
import { address, FREE_MAIL, JOB_TITLES, REMARKS } from './places.js';
import { Random } from './random.js';
import { slug } from './translit.js';

export interface DemoRefs {
  statusIds: number[];
  categoryIds: number[];
  clientTypeIds: number[];
  sourceIds: number[];
  /** Users to make responsible; empty leaves contacts unassigned. */
  userIds: number[];
  fields: DemoFields;
}

export interface DemoContact {
  input: ContactInput & { kind: ContactKind };
  /** When the contact "was added": spread over three years so date filters and sorts mean something. */
  createdAt: Date;
  locale: DemoLocale;
}

/** A company with its employees, or one private person. Employees get the company's id when written. */
export interface DemoUnit {
  company: DemoContact | null;
  /** The payer of this company: the company written this many companies earlier, if any. */
  buyerBack: number | null;
  people: DemoContact[];
}

const DAY = 86_400_000;
const LOCALES: Record<DemoLocale, number> = { pl: 35, ru: 25, uk: 25, en: 15 };
const COUNTRY: Record<Exclude<DemoLocale, 'en'>, PhoneCountry> = { pl: 'PL', ru: 'RU', uk: 'UA' };
const INFO_MAILBOXES: Record<DemoLocale, string[]> = {
  pl: ['biuro', 'kontakt', 'info', 'sekretariat'],
  ru: ['info', 'office', 'sales', 'mail'],
  uk: ['info', 'office', 'sales'],
  en: ['info', 'hello', 'sales', 'office'],
};
/** Budgets in the currency people of the market would quote them in. */
const BUDGET_SCALE: Record<PhoneCountry, number> = { PL: 4, RU: 90, UA: 40, US: 1, GB: 0.8 };

const iso = (d: Date) => d.toISOString().slice(0, 10);

export class DemoGenerator {
  private readonly r: Random;
  private readonly domains = new Map<string, number>();
  private readonly now: number;

  constructor(
    seed: number,
    private readonly refs: DemoRefs,
    now: Date = new Date(),
  ) {
    this.r = new Random(seed);
    this.now = now.getTime();
  }

  /** Units adding up to exactly `contacts` contacts (the last one is cut to fit). */
  *units(contacts: number): Generator<DemoUnit> {
    let left = contacts;
    while (left > 0) {
      const unit = this.unit();
      const size = (unit.company ? 1 : 0) + unit.people.length;
      if (size > left) unit.people = unit.people.slice(0, left - (unit.company ? 1 : 0));
      left -= Math.min(size, left);
      yield unit;
    }
  }

  unit(): DemoUnit {
    const r = this.r;
    const locale = r.weighted(LOCALES);
    if (r.chance(0.6)) return { company: null, buyerBack: null, people: [this.person(locale, null, this.createdAt())] };
    const firm = drawCompany(r, locale, this.domains);
    const company = this.company(locale, firm);
    const employees = Number(r.weighted({ 0: 10, 1: 25, 2: 25, 3: 15, 4: 10, 5: 7, 8: 5, 12: 3 }));
    const people: DemoContact[] = [];
    const used = new Set<string>();
    for (let i = 0; i < employees; i++) {
      const joined = new Date(Math.min(this.now, company.createdAt.getTime() + r.int(0, 60) * DAY + r.int(0, DAY)));
      people.push(this.person(locale, { firm, head: i === 0, used }, joined));
    }
    return { company, buyerBack: r.chance(0.08) ? r.int(1, 5) : null, people };
  }

  private createdAt(): Date {
    // More recent contacts than old ones, as in a growing base.
    const daysAgo = Math.floor(1095 * this.r.next() ** 1.6);
    return new Date(this.now - daysAgo * DAY - this.r.int(0, DAY - 1));
  }

  private country(locale: DemoLocale): PhoneCountry {
    return locale === 'en' ? (this.r.chance(0.6) ? 'US' : 'GB') : COUNTRY[locale];
  }

  /**
   * Dictionary values, the responsible user, custom values shared by persons and companies. The
   * same numbers are drawn whether or not there are dictionaries, users or fields, so a seed
   * gives the same names, companies and channels on any base; only the ids differ.
   */
  private common(input: ContactInput, kind: ContactKind, country: PhoneCountry, locale: DemoLocale): void {
    const r = this.r;
    const { statusIds, categoryIds, clientTypeIds, sourceIds, userIds, fields } = this.refs;
    const draw = <T>(list: readonly T[], p: number): T | undefined => {
      const hit = r.chance(p);
      const at = r.next();
      return hit && list.length ? list[Math.floor(at * list.length)] : undefined;
    };
    const hasStatus = r.chance(0.9);
    const stage = r.funnel(statusIds.length, 0.55);
    if (hasStatus && statusIds.length) input.status_id = statusIds[stage]!;
    const category = draw(categoryIds, 0.6);
    if (category !== undefined) input.category_id = category;
    const clientType = draw(clientTypeIds, 0.7);
    if (clientType !== undefined) input.client_type_id = clientType;
    const source = draw(sourceIds, 0.7);
    if (source !== undefined) input.source_id = source;
    const responsible = draw(userIds, 0.9);
    if (responsible !== undefined) input.responsible_id = responsible;
    const custom: Record<string, unknown> = {};
    const industry = draw(fields.industry?.options ?? [], kind === 'company' ? 0.85 : 0);
    if (industry !== undefined) custom.industry = industry;
    const budget = Math.round((r.int(5, 500) * 1000 * BUDGET_SCALE[country]) / 100) * 100;
    if (r.chance(kind === 'company' ? 0.6 : 0.1) && fields.budget) custom.budget = budget;
    const next = iso(new Date(this.now + r.int(-20, 60) * DAY));
    if (r.chance(0.35) && fields.next_contact) custom.next_contact = next;
    if (Object.keys(custom).length) input.custom = custom;
    const remark = r.pick(REMARKS[locale]);
    if (r.chance(0.05)) input.comment = remark;
  }

  private company(locale: DemoLocale, firm: DemoCompany): DemoContact {
    const r = this.r;
    const input: ContactInput & { kind: ContactKind } = { kind: 'company', company_name: firm.name, domains: [firm.domain] };
    if (r.chance(0.8)) input.websites = [{ value: `https://www.${firm.domain}/` }];
    if (r.chance(0.85)) input.emails = [{ value: `${r.pick(INFO_MAILBOXES[locale])}@${firm.domain}` }];
    const phones: Channel[] = [];
    if (r.chance(0.8)) phones.push({ value: phone(r, firm.country, false).e164, label: 'work' });
    if (r.chance(0.3)) phones.push({ value: phone(r, firm.country, true).e164, label: 'mobile' });
    if (phones.length) input.phones = phones;
    if (r.chance(0.9)) input.addresses = [address(r, firm.country)];
    const taxIds: TaxId[] = [];
    const soleTrader = /^(?:ИП|ФОП) /u.test(firm.name);
    if (firm.country === 'PL') {
      const n = nip(r);
      if (r.chance(0.95)) taxIds.push({ type: 'nip', value: n });
      if (r.chance(0.7)) taxIds.push({ type: 'regon', value: regon(r) });
      if (r.chance(0.2)) taxIds.push({ type: 'vat_eu', value: `PL${n}` });
    } else if (firm.country === 'RU' && r.chance(0.95)) {
      taxIds.push({ type: 'inn', value: soleTrader ? innPerson(r) : innCompany(r) }); // a sole trader registers under a personal INN
    } else if (firm.country === 'UA' && !soleTrader && r.chance(0.95)) {
      taxIds.push({ type: 'edrpou', value: edrpou(r) });
    }
    if (taxIds.length) input.tax_ids = taxIds;
    this.common(input, 'company', firm.country, locale);
    return { input, createdAt: this.createdAt(), locale };
  }

  private person(locale: DemoLocale, job: { firm: DemoCompany; head: boolean; used: Set<string> } | null, createdAt: Date): DemoContact {
    const r = this.r;
    const gender: Gender = r.chance(0.5) ? 'm' : 'f';
    const first = r.pick(FIRST_NAMES[locale][gender]);
    const surname = r.pick(SURNAMES[locale]);
    const last = gender === 'f' ? feminineSurname(locale, surname) : surname;
    const input: ContactInput & { kind: ContactKind } = { kind: 'person', first_name: first, last_name: last };
    if ((locale === 'ru' || locale === 'uk') && r.chance(0.7)) {
      input.middle_name = patronymic(locale, r.pick(Object.keys(PATRONYMICS[locale])), gender);
    }
    const country = job?.firm.country ?? this.country(locale);
    const f = slug(locale, first);
    const l = slug(locale, last);
    const emails: Channel[] = [];
    if (job) {
      input.job_title = job.head && r.chance(0.5) ? JOB_TITLES[locale][0]! : r.pick(JOB_TITLES[locale].slice(1));
      if (r.chance(0.9)) {
        let local = r.weighted({ [`${f}.${l}`]: 50, [`${f[0]}.${l}`]: 20, [`${f}${l}`]: 10, [f]: 10, [`${l}.${f}`]: 10 });
        for (let n = 2; job.used.has(local); n++) local = `${local.replace(/\d+$/, '')}${n}`;
        job.used.add(local);
        emails.push({ value: `${local}@${job.firm.domain}`, label: 'work' });
      }
      if (r.chance(0.15)) emails.push({ value: this.freeMail(country, f, l), label: 'personal' });
    } else if (r.chance(0.8)) {
      emails.push({ value: this.freeMail(country, f, l), consent: r.chance(0.4) });
    }
    if (emails.length) input.emails = emails;

    const phones: Channel[] = [];
    let mobile: string | null = null;
    if (r.chance(0.85)) {
      mobile = phone(r, country, true).e164;
      phones.push({ value: mobile, label: 'mobile' });
    }
    if (job && r.chance(0.3)) phones.push({ value: phone(r, country, false).e164, label: 'work' });
    if (phones.length) input.phones = phones;

    const messengers: Messenger[] = [];
    if ((locale === 'ru' || locale === 'uk') && r.chance(0.3)) messengers.push({ type: 'telegram', value: `@${this.handle(f, l)}` });
    if (mobile && (locale === 'pl' || locale === 'en') && r.chance(0.15)) messengers.push({ type: 'whatsapp', value: mobile });
    if (r.chance(0.03)) messengers.push({ type: 'skype', value: `live:${this.handle(f, l)}` });
    if (messengers.length) input.messengers = messengers;

    if (r.chance(0.35)) {
      const born = new Date(Date.UTC(r.int(1955, 2003), r.int(0, 11), r.int(1, 28)));
      input.birthday = iso(born);
      if (locale === 'pl' && r.chance(0.2)) input.tax_ids = [{ type: 'pesel', value: pesel(r, input.birthday, gender) }];
    }
    if (locale === 'ru' && !input.tax_ids && r.chance(0.15)) input.tax_ids = [{ type: 'inn', value: innPerson(r) }];
    if (!job && r.chance(0.3)) input.addresses = [address(r, country)];
    this.common(input, 'person', country, locale);
    return { input, createdAt, locale };
  }

  private freeMail(country: PhoneCountry, f: string, l: string): string {
    const r = this.r;
    const yy = String(r.int(55, 99));
    const local = r.weighted({ [`${f}.${l}`]: 30, [`${f}.${l}${yy}`]: 25, [`${f}${l}${r.int(1, 999)}`]: 20, [`${l}.${f}`]: 10, [`${f[0]}${l}${yy}`]: 15 });
    return `${local}@${r.weighted(FREE_MAIL[country])}`;
  }

  /** A messenger handle: 5–32 letters, digits and underscores. */
  private handle(f: string, l: string): string {
    const base = `${f}_${l}`.slice(0, 26);
    return this.r.chance(0.5) ? `${base}${this.r.int(1, 9999)}` : base.padEnd(5, '0');
  }
}

import { expect } from 'chai';
import { DemoGenerator, type DemoContact, type DemoRefs } from '../seed/generator.js';
import { FIRST_NAMES, SURNAMES, feminineSurname, patronymic } from '../seed/names.js';
import { slug } from '../seed/translit.js';
import { normalizeEmail, normalizePhone } from '../services/normalize/channels.js';
import { validateTaxId } from '../services/normalize/tax-ids.js';
import { prepareContactInput } from '../services/contact-input.js';

const refs: DemoRefs = {
  statusIds: [11, 12, 13, 14],
  categoryIds: [21, 22],
  clientTypeIds: [31],
  sourceIds: [41, 42, 43],
  userIds: [1, 2, 3],
  fields: {
    industry: { id: 1, key: 'industry', type: 'select', labels: { en: 'Industry' }, required: false, sort: 10, in_list: true, options: ['Retail', 'Energy'], active: true },
    budget: { id: 2, key: 'budget', type: 'money', labels: { en: 'Budget' }, required: false, sort: 20, in_list: true, options: [], active: true },
    next_contact: { id: 3, key: 'next_contact', type: 'date', labels: { en: 'Next contact' }, required: false, sort: 30, in_list: false, options: [], active: true },
  },
};
const NOW = new Date('2025-06-15T12:00:00Z');

function contacts(seed: number, count: number, r: DemoRefs = refs): DemoContact[] {
  const out: DemoContact[] = [];
  for (const unit of new DemoGenerator(seed, r, NOW).units(count)) out.push(...(unit.company ? [unit.company] : []), ...unit.people);
  return out;
}

describe('Demo data generator', () => {
  const sample = contacts(7, 3000);
  const persons = sample.filter((c) => c.input.kind === 'person');
  const companies = sample.filter((c) => c.input.kind === 'company');

  it('gives exactly the number of contacts asked for, the same ones for the same seed, others for another seed', () => {
    expect(sample).to.have.length(3000);
    expect(contacts(7, 200).map((c) => c.input)).to.deep.equal(sample.slice(0, 200).map((c) => c.input));
    expect(contacts(8, 200).map((c) => c.input)).not.to.deep.equal(sample.slice(0, 200).map((c) => c.input));
  });

  it('mixes Polish, Russian, Ukrainian and English contacts, companies with employees and private persons', () => {
    const share = (locale: string) => sample.filter((c) => c.locale === locale).length / sample.length;
    for (const locale of ['pl', 'ru', 'uk', 'en']) expect(share(locale), locale).to.be.within(0.08, 0.5);
    expect(companies.length / sample.length).to.be.within(0.12, 0.3);
    expect(persons.filter((p) => p.input.job_title).length).to.be.greaterThan(persons.length / 3);
  });

  it('puts surnames in the feminine form for women and keeps the indeclinable ones', () => {
    expect(feminineSurname('pl', 'Kowalski')).to.equal('Kowalska');
    expect(feminineSurname('pl', 'Zawadzki')).to.equal('Zawadzka');
    expect(feminineSurname('pl', 'Konieczny')).to.equal('Konieczna');
    expect(feminineSurname('pl', 'Nowak')).to.equal('Nowak');
    expect(feminineSurname('ru', 'Петров')).to.equal('Петрова');
    expect(feminineSurname('ru', 'Соловьёв')).to.equal('Соловьёва');
    expect(feminineSurname('ru', 'Ильин')).to.equal('Ильина');
    expect(feminineSurname('ru', 'Вишневский')).to.equal('Вишневская');
    expect(feminineSurname('ru', 'Толстой')).to.equal('Толстая');
    expect(feminineSurname('ru', 'Черных')).to.equal('Черных');
    expect(feminineSurname('uk', 'Шевченко')).to.equal('Шевченко');
    expect(feminineSurname('uk', 'Грушевський')).to.equal('Грушевська');
    expect(feminineSurname('uk', 'Іваницький')).to.equal('Іваницька');
    expect(feminineSurname('uk', 'Петрів')).to.equal('Петрів');
    expect(feminineSurname('en', 'Smith')).to.equal('Smith');
    for (const p of persons) {
      const female = FIRST_NAMES[p.locale].f.includes(p.input.first_name!);
      const forms = SURNAMES[p.locale].map((s) => (female ? feminineSurname(p.locale, s) : s));
      expect(forms, `${p.input.first_name} ${p.input.last_name}`).to.include(p.input.last_name);
    }
    expect(persons.some((p) => p.input.last_name === 'Kowalska')).to.equal(true);
  });

  it('gives Russian and Ukrainian persons patronymics that agree with their sex', () => {
    expect(patronymic('ru', 'Иван', 'm')).to.equal('Иванович');
    expect(patronymic('ru', 'Илья', 'f')).to.equal('Ильинична');
    expect(patronymic('ru', 'Юрий', 'f')).to.equal('Юрьевна');
    expect(patronymic('uk', 'Микола', 'm')).to.equal('Миколайович');
    expect(patronymic('uk', 'Сергій', 'f')).to.equal('Сергіївна');
    const withMiddle = persons.filter((p) => p.input.middle_name);
    expect(withMiddle.length).to.be.greaterThan(100);
    for (const p of withMiddle) {
      expect(['ru', 'uk']).to.include(p.locale);
      const female = /(?:вна|чна)$/u.test(p.input.middle_name!);
      expect(female || /(?:ич|ович|евич|йович)$/u.test(p.input.middle_name!), p.input.middle_name!).to.equal(true);
      if (female) expect(p.input.last_name, `${p.input.first_name} ${p.input.middle_name} ${p.input.last_name}`).not.to.match(/(?:ов|ев|ёв|ин|ский|ський)$/u);
    }
    expect(persons.filter((p) => p.locale === 'pl' || p.locale === 'en').every((p) => !p.input.middle_name)).to.equal(true);
  });

  it('derives e-mail addresses from the transliterated name and the company domain', () => {
    expect(slug('ru', 'Щукин Сергей')).to.equal('shchukinsergey');
    expect(slug('uk', 'Юлія Гнатюк')).to.equal('yuliiahnatiuk');
    expect(slug('uk', "Мар'яна")).to.equal('mariana');
    expect(slug('pl', 'Łukasz Żółć')).to.equal('lukaszzolc');
    for (const c of sample) for (const e of c.input.emails ?? []) expect(normalizeEmail(e.value), e.value).to.equal(e.value);
    const employee = persons.find((p) => p.locale === 'ru' && p.input.job_title && p.input.emails?.[0]?.label === 'work')!;
    const local = employee.input.emails![0]!.value.split('@')[0]!;
    expect(local).to.match(/^[a-z0-9.]+$/);
    expect(local.replace(/\d+$/, '').split('.').some((part) => slug('ru', employee.input.last_name!).startsWith(part) || slug('ru', employee.input.first_name!).startsWith(part))).to.equal(true);
    for (const company of companies.filter((c) => c.input.emails)) {
      expect(company.input.emails![0]!.value.endsWith(`@${company.input.domains![0]}`)).to.equal(true);
    }
  });

  it('draws only phone numbers libphonenumber accepts, from each market’s country code', () => {
    const codes = new Set<string>();
    for (const c of sample) {
      for (const p of c.input.phones ?? []) {
        expect(normalizePhone(p.value)?.e164, p.value).to.equal(p.value);
        codes.add(/^\+(?:380|48|44|7|1)/.exec(p.value)![0]);
      }
    }
    expect([...codes].sort()).to.deep.equal(['+1', '+380', '+44', '+48', '+7']);
  });

  it('generates NIP, REGON, PESEL, INN and EDRPOU numbers with valid check digits', () => {
    const types = new Map<string, number>();
    for (const c of sample) {
      for (const t of c.input.tax_ids ?? []) {
        expect(validateTaxId(t.type, t.value), `${t.type} ${t.value}`).to.deep.include({ ok: true });
        types.set(t.type, (types.get(t.type) ?? 0) + 1);
      }
    }
    expect([...types.keys()].sort()).to.deep.equal(['edrpou', 'inn', 'nip', 'pesel', 'regon', 'vat_eu']);
    // A PESEL encodes the birthday and the sex (even digit for women).
    for (const p of persons.filter((x) => x.input.tax_ids?.[0]?.type === 'pesel')) {
      const digits = p.input.tax_ids![0]!.value;
      expect(digits.slice(0, 2)).to.equal(p.input.birthday!.slice(2, 4));
      expect(Number(digits[9]) % 2 === 0).to.equal(/a$/.test(p.input.first_name!));
    }
  });

  it('produces input the contacts service accepts as it is', () => {
    for (const c of sample) {
      const { errors } = prepareContactInput(c.input, c.input.kind, { creating: true, defaultCountry: 'PL' });
      expect(errors, JSON.stringify(c.input)).to.deep.equal([]);
    }
  });

  it('spreads statuses (most in the first stages), categories, sources, responsible users and custom values', () => {
    const count = (f: (c: DemoContact) => unknown) => sample.filter((c) => f(c) !== undefined).length;
    const byStatus = refs.statusIds.map((id) => sample.filter((c) => c.input.status_id === id).length);
    expect(byStatus[0]).to.be.greaterThan(byStatus[3]!);
    expect(byStatus.every((n) => n > 0)).to.equal(true);
    expect([...new Set(sample.map((c) => c.input.responsible_id).filter(Boolean))].sort()).to.deep.equal([1, 2, 3]);
    expect(count((c) => c.input.category_id)).to.be.within(1200, 2400);
    expect(count((c) => c.input.source_id)).to.be.greaterThan(1500);
    const industries = new Set(companies.map((c) => c.input.custom?.industry).filter(Boolean));
    expect([...industries].sort()).to.deep.equal(['Energy', 'Retail']);
    expect(count((c) => c.input.custom?.budget)).to.be.greaterThan(200);
    expect(count((c) => c.input.custom?.next_contact)).to.be.greaterThan(600);
    const created = sample.map((c) => c.createdAt.getTime());
    expect(Math.max(...created)).to.be.at.most(NOW.getTime());
    expect(Math.min(...created)).to.be.below(NOW.getTime() - 2 * 365 * 86_400_000);
  });

  it('leaves statuses, users and custom values out when there are none to use, and draws the same contacts otherwise', () => {
    const bare = contacts(3, 300, { statusIds: [], categoryIds: [], clientTypeIds: [], sourceIds: [], userIds: [], fields: {} });
    expect(bare.every((c) => c.input.status_id === undefined && c.input.responsible_id === undefined && c.input.custom === undefined)).to.equal(true);
    const full = contacts(3, 300);
    const people = (list: DemoContact[]) => list.map((c) => [c.input.first_name, c.input.last_name, c.input.company_name, c.input.emails, c.input.phones]);
    expect(people(bare)).to.deep.equal(people(full));
  });
});

/** Job titles, addresses, free-mail providers and short remarks per market, for demo contacts. */
import type { Address } from '../api.js';
import type { DemoLocale } from './names.js';
import type { PhoneCountry } from './phones.js';
import type { Random } from './random.js';

/** The first title of each list is the head of the company: the first employee often holds it. */
export const JOB_TITLES: Record<DemoLocale, string[]> = {
  pl: [
    'Prezes Zarządu', 'Dyrektor Generalny', 'Dyrektor Handlowy', 'Dyrektor Finansowy', 'Główny Księgowy', 'Kierownik Działu Zakupów',
    'Kierownik Sprzedaży', 'Specjalista ds. Marketingu', 'Specjalista ds. Zakupów', 'Przedstawiciel Handlowy', 'Kierownik Projektu',
    'Kierownik Logistyki', 'Inżynier Sprzedaży', 'Administrator IT', 'Kierownik Biura', 'Asystentka Zarządu', 'Radca Prawny',
    'Specjalista ds. Kadr', 'Kierownik Produkcji', 'Koordynator Projektów',
  ],
  ru: [
    'Генеральный директор', 'Коммерческий директор', 'Финансовый директор', 'Главный бухгалтер', 'Руководитель отдела закупок',
    'Руководитель отдела продаж', 'Менеджер по продажам', 'Менеджер по закупкам', 'Маркетолог', 'Юрист', 'Инженер',
    'Руководитель проекта', 'Офис-менеджер', 'Системный администратор', 'Начальник производства', 'Логист', 'HR-менеджер',
    'Заместитель директора', 'Ведущий специалист', 'Аналитик',
  ],
  uk: [
    'Генеральний директор', 'Комерційний директор', 'Фінансовий директор', 'Головний бухгалтер', 'Керівник відділу закупівель',
    'Керівник відділу продажів', 'Менеджер з продажу', 'Менеджер із закупівель', 'Маркетолог', 'Юрист', 'Інженер',
    'Керівник проєкту', 'Офіс-менеджер', 'Системний адміністратор', 'Начальник виробництва', 'Логіст', 'HR-менеджер',
    'Заступник директора', 'Провідний фахівець', 'Аналітик',
  ],
  en: [
    'Chief Executive Officer', 'Managing Director', 'Sales Director', 'Chief Financial Officer', 'Head of Procurement', 'Sales Manager',
    'Account Executive', 'Marketing Manager', 'Purchasing Manager', 'Office Manager', 'Project Manager', 'Operations Manager',
    'IT Administrator', 'Legal Counsel', 'HR Business Partner', 'Business Analyst', 'Logistics Coordinator', 'Customer Success Manager',
    'Financial Controller', 'Executive Assistant',
  ],
};

interface City {
  city: string;
  region: string;
  zip: (r: Random) => string;
}

const d = (r: Random, n: number) => r.digits(n);

const CITIES: Record<PhoneCountry, { country: string; streets: string[]; cities: City[]; street: (r: Random, name: string) => string }> = {
  PL: {
    country: 'Polska',
    streets: ['Marszałkowska', 'Długa', 'Piękna', 'Kwiatowa', 'Polna', 'Lipowa', 'Słoneczna', 'Mickiewicza', 'Kościuszki', 'Sienkiewicza', 'Grunwaldzka', 'Wrocławska', 'Ogrodowa', 'Leśna', 'Przemysłowa'],
    cities: [
      { city: 'Warszawa', region: 'mazowieckie', zip: (r) => `0${r.int(0, 4)}-${d(r, 3)}` },
      { city: 'Kraków', region: 'małopolskie', zip: (r) => `3${r.int(0, 1)}-${d(r, 3)}` },
      { city: 'Wrocław', region: 'dolnośląskie', zip: (r) => `5${r.int(0, 4)}-${d(r, 3)}` },
      { city: 'Poznań', region: 'wielkopolskie', zip: (r) => `6${r.int(0, 1)}-${d(r, 3)}` },
      { city: 'Gdańsk', region: 'pomorskie', zip: (r) => `80-${d(r, 3)}` },
      { city: 'Łódź', region: 'łódzkie', zip: (r) => `9${r.int(0, 4)}-${d(r, 3)}` },
      { city: 'Katowice', region: 'śląskie', zip: (r) => `40-${d(r, 3)}` },
      { city: 'Lublin', region: 'lubelskie', zip: (r) => `20-${d(r, 3)}` },
    ],
    street: (r, name) => `ul. ${name} ${r.int(1, 150)}${r.chance(0.3) ? `/${r.int(1, 40)}` : ''}`,
  },
  RU: {
    country: 'Россия',
    streets: ['Ленина', 'Мира', 'Садовая', 'Советская', 'Гагарина', 'Пушкина', 'Лесная', 'Тверская', 'Новая', 'Заводская', 'Молодёжная', 'Центральная'],
    cities: [
      { city: 'Москва', region: 'Москва', zip: (r) => `1${r.int(0, 2)}${d(r, 4)}` },
      { city: 'Санкт-Петербург', region: 'Санкт-Петербург', zip: (r) => `19${d(r, 4)}` },
      { city: 'Казань', region: 'Республика Татарстан', zip: (r) => `420${d(r, 3)}` },
      { city: 'Новосибирск', region: 'Новосибирская область', zip: (r) => `630${d(r, 3)}` },
      { city: 'Екатеринбург', region: 'Свердловская область', zip: (r) => `620${d(r, 3)}` },
      { city: 'Самара', region: 'Самарская область', zip: (r) => `443${d(r, 3)}` },
    ],
    street: (r, name) => `ул. ${name}, д. ${r.int(1, 120)}${r.chance(0.4) ? `, оф. ${r.int(1, 400)}` : ''}`,
  },
  UA: {
    country: 'Україна',
    streets: ['Хрещатик', 'Шевченка', 'Франка', 'Лесі Українки', 'Грушевського', 'Соборна', 'Садова', 'Незалежності', 'Київська', 'Зелена', 'Городоцька', 'Сумська'],
    cities: [
      { city: 'Київ', region: 'Київ', zip: (r) => `0${r.int(1, 4)}${d(r, 3)}` },
      { city: 'Львів', region: 'Львівська область', zip: (r) => `790${d(r, 2)}` },
      { city: 'Харків', region: 'Харківська область', zip: (r) => `610${d(r, 2)}` },
      { city: 'Одеса', region: 'Одеська область', zip: (r) => `650${d(r, 2)}` },
      { city: 'Дніпро', region: 'Дніпропетровська область', zip: (r) => `490${d(r, 2)}` },
      { city: 'Вінниця', region: 'Вінницька область', zip: (r) => `210${d(r, 2)}` },
    ],
    street: (r, name) => `вул. ${name}, ${r.int(1, 120)}${r.chance(0.4) ? `, оф. ${r.int(1, 300)}` : ''}`,
  },
  US: {
    country: 'United States',
    streets: ['Main Street', 'Oak Avenue', 'Maple Drive', 'Park Avenue', 'Broadway', 'Market Street', 'Cedar Lane', 'Elm Street', 'Washington Boulevard', 'Lake Shore Drive'],
    cities: [
      { city: 'New York', region: 'NY', zip: (r) => `100${d(r, 2)}` },
      { city: 'San Francisco', region: 'CA', zip: (r) => `941${d(r, 2)}` },
      { city: 'Chicago', region: 'IL', zip: (r) => `606${d(r, 2)}` },
      { city: 'Boston', region: 'MA', zip: (r) => `021${d(r, 2)}` },
      { city: 'Seattle', region: 'WA', zip: (r) => `981${d(r, 2)}` },
      { city: 'Austin', region: 'TX', zip: (r) => `787${d(r, 2)}` },
    ],
    street: (r, name) => `${r.int(10, 9999)} ${name}${r.chance(0.3) ? `, Suite ${r.int(100, 900)}` : ''}`,
  },
  GB: {
    country: 'United Kingdom',
    streets: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'King Street', 'Queen Street', 'Mill Lane', 'Park Road', 'London Road', 'The Green'],
    cities: [
      { city: 'London', region: 'Greater London', zip: (r) => `${r.pick(['EC1A', 'EC2M', 'SW1A', 'W1D', 'N1', 'SE1'])} ${r.int(1, 9)}${r.pick(['AB', 'BX', 'DN', 'HJ', 'QT'])}` },
      { city: 'Manchester', region: 'Greater Manchester', zip: (r) => `M${r.int(1, 20)} ${r.int(1, 9)}${r.pick(['AE', 'BH', 'LT', 'WR'])}` },
      { city: 'Birmingham', region: 'West Midlands', zip: (r) => `B${r.int(1, 40)} ${r.int(1, 9)}${r.pick(['AA', 'HQ', 'NP', 'TU'])}` },
      { city: 'Edinburgh', region: 'Scotland', zip: (r) => `EH${r.int(1, 17)} ${r.int(1, 9)}${r.pick(['BD', 'JL', 'RR', 'YT'])}` },
    ],
    street: (r, name) => `${r.int(1, 250)} ${name}`,
  },
};

export function address(r: Random, country: PhoneCountry, label: string | null = null): Address {
  const c = CITIES[country];
  const city = r.pick(c.cities);
  return { label, country: c.country, region: city.region, city: city.city, zip: city.zip(r), street: c.street(r, r.pick(c.streets)) };
}

export const FREE_MAIL: Record<PhoneCountry, Record<string, number>> = {
  PL: { 'gmail.com': 40, 'wp.pl': 20, 'onet.pl': 15, 'o2.pl': 10, 'interia.pl': 15 },
  RU: { 'mail.ru': 35, 'yandex.ru': 35, 'gmail.com': 20, 'rambler.ru': 10 },
  UA: { 'gmail.com': 50, 'ukr.net': 35, 'i.ua': 15 },
  US: { 'gmail.com': 55, 'outlook.com': 20, 'yahoo.com': 15, 'icloud.com': 10 },
  GB: { 'gmail.com': 50, 'outlook.com': 20, 'btinternet.com': 15, 'yahoo.co.uk': 15 },
};

/** A remark a salesperson would leave on a card. */
export const REMARKS: Record<DemoLocale, string[]> = {
  pl: ['Poznaliśmy się na targach w Poznaniu.', 'Preferuje kontakt mailowy.', 'Prosi o ofertę do końca kwartału.', 'Decyzje zakupowe podejmuje zarząd.', 'Klient z polecenia.'],
  ru: ['Познакомились на выставке в Москве.', 'Предпочитает общение по почте.', 'Просит коммерческое предложение до конца квартала.', 'Решения о закупках принимает директор.', 'Клиент по рекомендации.'],
  uk: ['Познайомилися на виставці у Києві.', 'Надає перевагу листуванню.', 'Просить комерційну пропозицію до кінця кварталу.', 'Рішення про закупівлі ухвалює директор.', 'Клієнт за рекомендацією.'],
  en: ['Met at the trade show in Berlin.', 'Prefers email over calls.', 'Asked for a quote by the end of the quarter.', 'Purchasing decisions go through the board.', 'Referred by an existing customer.'],
};

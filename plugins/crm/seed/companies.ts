/**
 * Plausible company names per market: Polish "Sp. z o.o." and "S.A.", Russian ООО/АО/ПАО,
 * Ukrainian ТОВ/ПрАТ/АТ/ПП, English Ltd/PLC/Inc/LLC, each with a web domain derived from the name.
 */
import { FIRST_NAMES, SURNAMES, type DemoLocale } from './names.js';
import type { PhoneCountry } from './phones.js';
import type { Random } from './random.js';
import { slug } from './translit.js';

export interface DemoCompany {
  name: string;
  /** The distinctive part of the name, without the legal form: the stem of the domain. */
  stem: string;
  domain: string;
  country: PhoneCountry;
}

const words = (s: string): string[] => s.trim().split(/\s+/u);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const PL = {
  roots: words('Pol Tech Bud Trans Agro Med Inter Euro Eko Info Stal Drew Farm Energo Auto Elektro Hydro Termo Norm Proj Dom Mar Kom Rol Geo'),
  suffixes: words('mex pol bud tex trans med soft sys com tech met plast chem gaz net serwis max lux'),
  /** [feminine, neuter/plural] forms of a regional adjective. */
  regions: [['Mazowiecka', 'Mazowieckie'], ['Śląska', 'Śląskie'], ['Pomorska', 'Pomorskie'], ['Wielkopolska', 'Wielkopolskie'], ['Małopolska', 'Małopolskie'], ['Podlaska', 'Podlaskie'], ['Lubelska', 'Lubelskie'], ['Bałtycka', 'Bałtyckie'], ['Karpacka', 'Karpackie'], ['Polska', 'Polskie'], ['Warszawska', 'Warszawskie'], ['Krakowska', 'Krakowskie']] as const,
  nouns: [['Grupa Budowlana', 0], ['Grupa Handlowa', 0], ['Centrum Logistyczne', 1], ['Centrum Medyczne', 1], ['Zakłady Mięsne', 1], ['Zakłady Drzewne', 1], ['Hurtownia Elektryczna', 0], ['Systemy Informatyczne', 1], ['Przedsiębiorstwo Budowlane', 1], ['Biuro Rachunkowe', 1], ['Usługi Transportowe', 1], ['Dystrybucja Farmaceutyczna', 0], ['Fabryka Mebli', 0], ['Drukarnia Cyfrowa', 0]] as const,
  forms: { 'Sp. z o.o.': 65, 'S.A.': 10, 'sp.k.': 8, 'sp.j.': 7, 's.c.': 5 },
};

interface CyrillicMarket {
  roots: string[];
  suffixes: string[];
  /** [masculine, feminine, plural] forms of an adjective, chosen by the noun's gender. */
  regions: ReadonlyArray<readonly [string, string, string]>;
  nouns: ReadonlyArray<readonly [string, 0 | 1 | 2]>;
  brands: string[];
  forms: Record<string, number>;
}

const RU: CyrillicMarket = {
  roots: words('Урал Сиб Волго Техно Агро Мед Транс Энерго Пром Спец Балт Нева Кам Дон Север Авто Электро Гидро Стандарт Гео'),
  suffixes: words('строй торг сервис инвест ком пром логистик снаб тех проект маш мет хим лес софт трейд альянс'),
  regions: [['Северный', 'Северная', 'Северные'], ['Сибирский', 'Сибирская', 'Сибирские'], ['Уральский', 'Уральская', 'Уральские'], ['Волжский', 'Волжская', 'Волжские'], ['Балтийский', 'Балтийская', 'Балтийские'], ['Центральный', 'Центральная', 'Центральные'], ['Южный', 'Южная', 'Южные'], ['Новый', 'Новая', 'Новые'], ['Первый', 'Первая', 'Первые']] as const,
  nouns: [['технологии', 2], ['системы', 2], ['решения', 2], ['логистика', 1], ['торговая компания', 1], ['строительная компания', 1], ['инвестиционная группа', 1], ['промышленный холдинг', 0], ['торговый дом', 0], ['завод металлоконструкций', 0]] as const,
  brands: words('Альфа-Трейд Вектор Гранит Ресурс Прогресс Меридиан Горизонт Континент Эталон Феникс Орион Зенит Спектр Квант Интеграл Магистраль Партнёр Лидер'),
  forms: { ООО: 75, АО: 12, ПАО: 3, ИП: 6, ЗАО: 4 },
};

const UK: CyrillicMarket = {
  roots: words('Укр Дніпро Київ Карпат Поділ Галич Слобож Техно Агро Буд Енерго Мед Транс Інвест Торг Волинь'),
  suffixes: words('буд торг сервіс інвест пром агро тех трейд постач логістик маш хім ліс софт альянс експорт'),
  regions: [['Західний', 'Західна', 'Західні'], ['Східний', 'Східна', 'Східні'], ['Дніпровський', 'Дніпровська', 'Дніпровські'], ['Карпатський', 'Карпатська', 'Карпатські'], ['Подільський', 'Подільська', 'Подільські'], ['Слобожанський', 'Слобожанська', 'Слобожанські'], ['Новий', 'Нова', 'Нові'], ['Перший', 'Перша', 'Перші'], ['Український', 'Українська', 'Українські']] as const,
  nouns: [['технології', 2], ['системи', 2], ['рішення', 2], ['логістика', 1], ['торгова компанія', 1], ['будівельна компанія', 1], ['інвестиційна група', 1], ['торговий дім', 0], ['агрохолдинг', 0], ['машинобудівний завод', 0]] as const,
  brands: words('Калина Злагода Світанок Обрій Вектор Граніт Меридіан Оріон Еталон Континент Полісся Таврія Лелека Ятрань Веселка Джерело'),
  forms: { ТОВ: 75, ПрАТ: 8, АТ: 5, ПП: 7, ФОП: 5 },
};

const EN = {
  first: words('North Blue Bright Silver Oak River Summit Pioneer Evergreen Harbor Redwood Atlas Apex Crescent Granite Maple Golden Iron Cedar Lakeside Westfield Stonebridge Clearwater Highland Riverside'),
  second: words('Systems Logistics Analytics Partners Solutions Foods Labs Holdings Consulting Energy Media Health Capital Works Software Supply Trading Dynamics Industries Ventures'),
  us: { Inc: 45, LLC: 35, Corp: 10, Co: 10 },
  gb: { Ltd: 85, PLC: 10, LLP: 5 },
};

const BRANDS_LATIN = words('Nordis Vectra Optimus Altaris Primavera Solaris Integra Magnus Meridian Novator Orion Quantum Stratos Terra Unimax Vitrum Zenit Argo Helios Lumen');

function initials(r: Random, locale: 'ru' | 'uk'): string {
  const letter = () => r.pick(FIRST_NAMES[locale].m).charAt(0);
  return `${letter()}. ${letter()}.`;
}

function polish(r: Random): { name: string; stem: string } {
  const form = r.weighted(PL.forms);
  const kind = r.weighted({ compound: 45, region: 25, family: 15, brand: 15 });
  if (kind === 'compound') {
    const stem = cap(r.pick(PL.roots).toLowerCase() + r.pick(PL.suffixes));
    return { name: `${stem} ${form}`, stem };
  }
  if (kind === 'region') {
    const [noun, plural] = r.pick(PL.nouns);
    const region = r.pick(PL.regions)[plural];
    return { name: `${region} ${noun} ${form}`, stem: `${region} ${noun.split(' ')[0]}` };
  }
  if (kind === 'family') {
    const surname = r.pick(SURNAMES.pl);
    const tail = form === 'sp.j.' || form === 's.c.' ? r.pick(['i Syn', 'i Wspólnicy', 'i Spółka']) : r.pick(['Group', 'Consulting', 'Trade', 'i Wspólnicy']);
    return { name: `${surname} ${tail} ${form}`, stem: surname };
  }
  const brand = r.pick(BRANDS_LATIN);
  return { name: `${brand} Polska ${form}`, stem: brand };
}

function cyrillic(r: Random, locale: 'ru' | 'uk'): { name: string; stem: string } {
  const t = locale === 'ru' ? RU : UK;
  const form = r.weighted(t.forms);
  if (form === 'ИП' || form === 'ФОП') {
    const surname = r.pick(SURNAMES[locale]);
    return { name: `${form} ${surname} ${initials(r, locale)}`, stem: surname };
  }
  const kind = r.weighted({ compound: 45, region: 25, brand: 30 });
  let inner: string;
  if (kind === 'compound') inner = cap(r.pick(t.roots).toLowerCase() + r.pick(t.suffixes));
  else if (kind === 'region') {
    const [noun, gender] = r.pick(t.nouns);
    inner = `${r.pick(t.regions)[gender]} ${noun}`;
  } else inner = r.pick(t.brands);
  return { name: `${form} «${inner}»`, stem: inner };
}

function english(r: Random, country: 'US' | 'GB'): { name: string; stem: string } {
  const form = country === 'US' ? r.weighted(EN.us) : r.weighted(EN.gb);
  const kind = r.weighted({ words: 55, family: 25, brand: 20 });
  if (kind === 'words') {
    const stem = `${r.pick(EN.first)} ${r.pick(EN.second)}`;
    return { name: `${stem} ${form}`, stem };
  }
  if (kind === 'family') {
    const a = r.pick(SURNAMES.en);
    const b = r.pick(SURNAMES.en);
    const stem = a === b ? `${a} Brothers` : `${a} & ${b}`;
    return { name: `${stem} ${form}`, stem };
  }
  const stem = `${r.pick(BRANDS_LATIN)} ${r.pick(EN.second)}`;
  return { name: `${stem} ${form}`, stem };
}

const TLDS: Record<PhoneCountry, Record<string, number>> = {
  PL: { pl: 70, 'com.pl': 20, eu: 10 },
  RU: { ru: 85, com: 15 },
  UA: { 'com.ua': 50, ua: 30, com: 20 },
  US: { com: 80, io: 10, co: 10 },
  GB: { 'co.uk': 70, com: 30 },
};

/**
 * A company of the market. `taken` counts the companies given each domain so far: a repeated one
 * gets a distinguishing label, as real companies do (nordis-group.pl, nordis3.pl).
 */
export function company(r: Random, locale: DemoLocale, taken: Map<string, number>): DemoCompany {
  const country: PhoneCountry = locale === 'pl' ? 'PL' : locale === 'ru' ? 'RU' : locale === 'uk' ? 'UA' : r.chance(0.6) ? 'US' : 'GB';
  const { name, stem } = locale === 'pl' ? polish(r) : locale === 'en' ? english(r, country as 'US' | 'GB') : cyrillic(r, locale);
  const parts = stem.split(/[\s&]+/u).map((w) => slug(locale, w)).filter(Boolean);
  // "Первый промышленный холдинг" → pervyy-kholding, as people shorten long names in addresses.
  const label = (parts.length > 2 ? `${parts[0]}-${parts[parts.length - 1]}` : parts.join('')).slice(0, 40) || 'firma';
  const tld = r.weighted(TLDS[country]);
  const base = `${label}.${tld}`;
  const seen = taken.get(base) ?? 0;
  taken.set(base, seen + 1);
  const domain = seen === 0 ? base : seen === 1 ? `${label}-${r.pick(['group', 'online', 'biz', 'trade', 'pro'])}.${tld}` : `${label}${seen}.${tld}`;
  return { name, stem, domain, country };
}

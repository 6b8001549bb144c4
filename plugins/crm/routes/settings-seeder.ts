/**
 * Demo dictionaries for the first start: the stages of a typical sales relationship, and
 * everyday categories, client types and sources, in the four languages. A dictionary that
 * already has items is left alone, so running it again changes nothing.
 */
import type { HostServices, Seeder } from '../../../host/api.js';
import { CrmTokens, type DictionaryName } from '../api.js';
import type { DictionariesService } from '../services/dictionaries-service.js';

interface DemoItem {
  name: string;
  labels: { pl: string; ru: string; uk: string };
  color?: string;
}

export const DEMO_DICTIONARIES: Record<DictionaryName, DemoItem[]> = {
  status: [
    { name: 'New lead', labels: { pl: 'Nowy lead', ru: 'Новый лид', uk: 'Новий лід' }, color: '#0d6efd' },
    { name: 'Qualified', labels: { pl: 'Zakwalifikowany', ru: 'Квалифицирован', uk: 'Кваліфікований' }, color: '#6f42c1' },
    { name: 'Negotiation', labels: { pl: 'Negocjacje', ru: 'Переговоры', uk: 'Переговори' }, color: '#fd7e14' },
    { name: 'Client', labels: { pl: 'Klient', ru: 'Клиент', uk: 'Клієнт' }, color: '#198754' },
    { name: 'Lost', labels: { pl: 'Utracony', ru: 'Потерян', uk: 'Втрачений' }, color: '#6c757d' },
  ],
  category: [
    { name: 'Retail', labels: { pl: 'Detal', ru: 'Розница', uk: 'Роздріб' } },
    { name: 'Wholesale', labels: { pl: 'Hurt', ru: 'Опт', uk: 'Гурт' } },
    { name: 'Partner', labels: { pl: 'Partner', ru: 'Партнёр', uk: 'Партнер' } },
  ],
  client_type: [
    { name: 'Individual', labels: { pl: 'Osoba prywatna', ru: 'Частное лицо', uk: 'Приватна особа' } },
    { name: 'Business', labels: { pl: 'Firma', ru: 'Компания', uk: 'Компанія' } },
  ],
  source: [
    { name: 'Website', labels: { pl: 'Strona internetowa', ru: 'Сайт', uk: 'Сайт' } },
    { name: 'Referral', labels: { pl: 'Polecenie', ru: 'Рекомендация', uk: 'Рекомендація' } },
    { name: 'Exhibition', labels: { pl: 'Targi', ru: 'Выставка', uk: 'Виставка' } },
    { name: 'Cold call', labels: { pl: 'Zimny telefon', ru: 'Холодный звонок', uk: 'Холодний дзвінок' } },
    { name: 'Import', labels: { pl: 'Import', ru: 'Импорт', uk: 'Імпорт' } },
  ],
};

export async function seedDictionaries(host: Pick<HostServices, 'get'>): Promise<string> {
  const dictionaries = host.get<DictionariesService>(CrmTokens.Dictionaries);
  let created = 0;
  for (const [dictionary, items] of Object.entries(DEMO_DICTIONARIES) as Array<[DictionaryName, DemoItem[]]>) {
    if ((await dictionaries.list(dictionary, true)).length) continue;
    for (const item of items) {
      await dictionaries.create(dictionary, { name: item.name, labels: item.labels, color: item.color ?? null });
      created++;
    }
  }
  return created ? `${created} dictionary items` : 'dictionaries already filled';
}

export const dictionariesSeeder: Seeder = {
  id: 'crm-dictionaries',
  order: 10,
  run: (host) => seedDictionaries(host),
};

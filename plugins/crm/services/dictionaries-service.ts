/**
 * Statuses (ordered, coloured stages of the relationship), categories, client types and sources:
 * small lists administrators manage. Read on every card and list, so kept in memory and
 * refreshed on each change.
 */
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, inject, injectable } from '../../../host/api.js';
import type { DictionaryItem, DictionaryName } from '../api.js';
import { crmModels, type CrmModels, type DictionaryRow } from '../models/crm-models.js';

const CACHE_MS = 10_000;

export const DICTIONARIES: DictionaryName[] = ['status', 'category', 'client_type', 'source'];

export interface DictionaryInput {
  name?: string;
  labels?: Record<string, string>;
  color?: string | null;
  sort?: number;
  active?: boolean;
}

function toItem(r: DictionaryRow): DictionaryItem {
  return {
    id: r.id,
    dictionary: r.dictionary as DictionaryName,
    name: r.name,
    labels: r.labels ? (JSON.parse(r.labels) as Record<string, string>) : {},
    color: r.color,
    sort: r.sort,
    active: Boolean(r.active),
  };
}

@injectable()
export class DictionariesService {
  private readonly m: CrmModels;
  private cache: DictionaryItem[] | null = null;
  private cachedAt = 0;

  constructor(@inject(TOKENS.Database) db: Sequelize) {
    this.m = crmModels(db);
  }

  async all(): Promise<DictionaryItem[]> {
    // A short lifetime: another instance behind the load balancer may have changed the list.
    if (!this.cache || Date.now() - this.cachedAt > CACHE_MS) {
      this.cachedAt = Date.now();
      const rows = await this.m.Dictionary.findAll({ order: [['dictionary', 'ASC'], ['sort', 'ASC'], ['id', 'ASC']] });
      this.cache = rows.map(toItem);
    }
    return this.cache;
  }

  async list(dictionary: DictionaryName, includeInactive = false): Promise<DictionaryItem[]> {
    return (await this.all()).filter((i) => i.dictionary === dictionary && (includeInactive || i.active));
  }

  async get(id: number): Promise<DictionaryItem | null> {
    return (await this.all()).find((i) => i.id === id) ?? null;
  }

  /** The item's name in the language, falling back to its base name. */
  static label(item: DictionaryItem, language: string): string {
    return item.labels[language] || item.name;
  }

  async create(dictionary: DictionaryName, input: DictionaryInput & { name: string }): Promise<DictionaryItem> {
    const last = (await this.list(dictionary, true)).at(-1);
    const row = await this.m.Dictionary.create({
      dictionary,
      name: input.name.trim(),
      labels: JSON.stringify(input.labels ?? {}),
      color: input.color ?? null,
      sort: input.sort ?? (last ? last.sort + 10 : 10),
      active: input.active ?? true,
    });
    this.cache = null;
    return toItem(row);
  }

  async update(id: number, input: DictionaryInput): Promise<DictionaryItem> {
    const row = await this.m.Dictionary.findByPk(id);
    if (!row) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    await row.update({
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.labels !== undefined ? { labels: JSON.stringify(input.labels) } : {}),
      ...(input.color !== undefined ? { color: input.color } : {}),
      ...(input.sort !== undefined ? { sort: input.sort } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
    });
    this.cache = null;
    return toItem(row);
  }

  /** Sets the order of a dictionary's items to the order of `ids`. */
  async reorder(dictionary: DictionaryName, ids: number[]): Promise<void> {
    const items = await this.list(dictionary, true);
    const known = new Set(items.map((i) => i.id));
    if (ids.some((id) => !known.has(id))) {
      throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'ids', code: 'unknown', message: 'crm:errors.unknown_item' }]);
    }
    await Promise.all(ids.map((id, i) => this.m.Dictionary.update({ sort: (i + 1) * 10 }, { where: { id } })));
    this.cache = null;
  }

  /** Deletes an item no contact uses; a used one is deactivated instead, so no contact loses it. */
  async remove(id: number): Promise<'deleted' | 'deactivated'> {
    const item = await this.get(id);
    if (!item) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    const column = `${item.dictionary}_id`;
    const used = await this.m.Contact.count({ where: { [column]: id } });
    this.cache = null;
    if (used) {
      await this.m.Dictionary.update({ active: false }, { where: { id } });
      return 'deactivated';
    }
    await this.m.Dictionary.destroy({ where: { id } });
    return 'deleted';
  }
}

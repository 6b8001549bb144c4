/**
 * Demo tags on demo contacts (after the CRM's seeder: order 65): a few tags, each on a stable
 * share of the contacts chosen by id, written with one INSERT … SELECT per tag so it takes
 * seconds even after `seed --contacts 1000000`. Only contacts added after the last tagged one get
 * tags, so running it again (for newly seeded contacts) leaves earlier ones as they are.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { TOKENS, type HostServices } from '../../../host/api.js';
import { ensureTags } from './vocabulary.js';
import { affected, insertIgnore } from './sql.js';

/** [name, colour, per cent of contacts]. */
export const DEMO_TAGS: Array<[string, string, number]> = [
  ['Newsletter', '#0dcaf0', 30],
  ['Follow up', '#fd7e14', 12],
  ['Wholesale', '#6f42c1', 10],
  ['Cold', '#6c757d', 9],
  ['Trade fair', '#20c997', 8],
  ['Partner', '#198754', 6],
  ['VIP', '#dc3545', 5],
  ['Key account', '#0d6efd', 4],
];

const STRIDES = [7, 13, 17, 19, 23, 29, 31, 37];

export async function seedDemoTags(host: HostServices): Promise<string> {
  const db = host.get<Sequelize>(TOKENS.Database);
  const [last] = await db.query<{ id: number | string | null }>('SELECT MAX(contact_id) AS id FROM tags_contact_tags', { type: QueryTypes.SELECT });
  const since = Number(last?.id ?? 0);
  const tags = await ensureTags(db, DEMO_TAGS.map(([name]) => name), new Map(DEMO_TAGS.map(([name, color]) => [name.toLowerCase(), color])));
  let rows = 0;
  for (const [i, tag] of tags.entries()) {
    const share = DEMO_TAGS[i]![2];
    // A different stride (coprime with 100) per tag, so tags overlap the way real ones do rather than nesting.
    const [, meta] = await db.query(
      `${insertIgnore(db)} INTO tags_contact_tags (contact_id, tag_id)
       SELECT c.id, ? FROM crm_contacts c
       WHERE c.id > ? AND c.deleted_at IS NULL AND (c.id * ? + ?) % 100 < ?`,
      { replacements: [tag.id, since, STRIDES[i % STRIDES.length], 13 * i, share] },
    );
    rows += affected(meta);
  }
  return `${tags.length} tags on ${rows} contact rows`;
}

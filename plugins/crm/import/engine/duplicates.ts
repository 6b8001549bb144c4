/**
 * Duplicates by the chosen keys: one query per key for a whole batch (the channels' (type,
 * normalized) index, the contacts' external_id index), live contacts only, and which of the
 * matches the importing user may see.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CurrentUser } from '../../../../host/api.js';
import type { ContactScope } from '../../api.js';
import type { DedupeKey } from '../import-contract.js';
import type { Draft } from './row-mapper.js';

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const CHANNEL_OF: Record<Exclude<DedupeKey, 'external_id'>, { list: 'emails' | 'phones' | 'tax_ids'; type: string }> = {
  email: { list: 'emails', type: 'email' },
  phone: { list: 'phones', type: 'phone' },
  tax_id: { list: 'tax_ids', type: 'tax_id' },
};

/** The normalized values of a row under one key ("email:jan@example.com"). */
export function keysOf(draft: Draft, keys: DedupeKey[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    if (key === 'external_id') {
      if (draft.externalId) out.push(`external_id:${draft.externalId}`);
      continue;
    }
    for (const c of draft.prepared?.channels[CHANNEL_OF[key].list] ?? []) out.push(`${key}:${c.normalized}`);
  }
  return out;
}

export interface Existing {
  /** key ("email:...") -> the oldest live contact with it. */
  byKey: Map<string, number>;
  /** Of those contacts, the ones the user may see. */
  visible: Set<number>;
}

export async function findExisting(db: Sequelize, scope: ContactScope, user: CurrentUser, keys: DedupeKey[], drafts: Draft[]): Promise<Existing> {
  const byKey = new Map<string, number>();
  for (const key of keys) {
    const values = [...new Set(drafts.flatMap((d) => keysOf(d, [key]).map((k) => k.slice(key.length + 1))))];
    if (!values.length) continue;
    const rows =
      key === 'external_id'
        ? await db.query<{ id: number; k: string }>(
            `SELECT c.id, c.external_id AS k FROM crm_contacts c WHERE c.external_id IN (${marks(values.length)}) AND c.deleted_at IS NULL AND c.merged_into_id IS NULL`,
            { replacements: values, type: QueryTypes.SELECT },
          )
        : await db.query<{ id: number; k: string }>(
            `SELECT ch.contact_id AS id, ch.normalized AS k FROM crm_channels ch JOIN crm_contacts c ON c.id = ch.contact_id
             WHERE ch.type = ? AND ch.normalized IN (${marks(values.length)}) AND c.deleted_at IS NULL AND c.merged_into_id IS NULL`,
            { replacements: [CHANNEL_OF[key].type, ...values], type: QueryTypes.SELECT },
          );
    for (const r of rows) {
      const k = `${key}:${r.k}`;
      const id = Number(r.id);
      const found = byKey.get(k);
      if (found === undefined || id < found) byKey.set(k, id);
    }
  }
  const ids = [...new Set(byKey.values())];
  const visible = new Set<number>();
  if (ids.length) {
    const s = scope.condition(user, 'c');
    const rows = await db.query<{ id: number }>(`SELECT c.id FROM crm_contacts c WHERE c.id IN (${marks(ids.length)}) AND ${s.sql}`, {
      replacements: [...ids, ...s.params],
      type: QueryTypes.SELECT,
    });
    for (const r of rows) visible.add(Number(r.id));
  }
  return { byKey, visible };
}

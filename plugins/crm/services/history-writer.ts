/** The one history writer: every change to a contact, in the same transaction as the change. */
import type { Sequelize, Transaction } from 'sequelize';
import { TOKENS, inject, injectable, type CurrentUser } from '../../../host/api.js';
import { CrmTokens, type ContactScope, type HistoryEntry, type HistoryWriter } from '../api.js';
import { crmModels, type CrmModels } from '../models/crm-models.js';
import { BulkInserter, HISTORY_COLUMNS } from './bulk-rows.js';

/** Fields whose old value can be put back with one click from the History tab. */
export const RESTORABLE_FIELDS = new Set([
  'first_name', 'middle_name', 'last_name', 'company_name', 'job_title', 'company_id', 'buyer_id', 'status_id', 'category_id',
  'client_type_id', 'source_id', 'class_id', 'responsible_id', 'birthday', 'comment', 'emails', 'phones', 'messengers', 'websites',
  'domains', 'addresses', 'tax_ids', 'is_staff',
]);

const encode = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const decode = (v: string | null): unknown => {
  if (v === null) return null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

@injectable()
export class HistoryWriterImpl implements HistoryWriter {
  private readonly m: CrmModels;
  private readonly inserter: BulkInserter;

  constructor(
    @inject(TOKENS.Database) private readonly db: Sequelize,
    @inject(CrmTokens.Scope) private readonly scope: ContactScope,
  ) {
    this.m = crmModels(db);
    this.inserter = new BulkInserter(db);
  }

  async record(
    entries: Array<{ contactId: number; action: string; field?: string | null; oldValue?: unknown; newValue?: unknown }>,
    userId: number | null,
    transaction: Transaction,
  ): Promise<void> {
    if (!entries.length) return;
    // Plain multi-row INSERTs through the bulk writer: a mass action or an import writes 100,000
    // entries, and a model instance (or a replacement placeholder) for each cost more than the
    // database's work.
    const now = new Date();
    const rows = entries.map((e) => [e.contactId, userId, e.action, e.field ?? null, encode(e.oldValue), encode(e.newValue), now]);
    await this.inserter.insert('crm_history', HISTORY_COLUMNS, rows, transaction);
  }

  async count(user: CurrentUser, contactId: number): Promise<number> {
    await this.scope.assertVisible(user, contactId);
    return this.m.History.count({ where: { contact_id: contactId } });
  }

  async list(user: CurrentUser, contactId: number, filter: { field?: string; action?: string; limit?: number; before?: number } = {}): Promise<HistoryEntry[]> {
    await this.scope.assertVisible(user, contactId);
    const where: string[] = ['h.contact_id = ?'];
    const params: unknown[] = [contactId];
    if (filter.field) {
      where.push('h.field = ?');
      params.push(filter.field);
    }
    if (filter.action) {
      where.push('h.action = ?');
      params.push(filter.action);
    }
    if (filter.before) {
      where.push('h.id < ?');
      params.push(filter.before);
    }
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const [rows] = await this.db.query(
      `SELECT h.*, u.name AS user_name FROM crm_history h LEFT JOIN host_users u ON u.id = h.user_id WHERE ${where.join(' AND ')} ORDER BY h.id DESC LIMIT ${limit}`,
      { replacements: params },
    );
    return (rows as Array<Record<string, unknown>>).map((r) => ({
      id: Number(r.id),
      contact_id: Number(r.contact_id),
      user_id: r.user_id === null ? null : Number(r.user_id),
      user_name: (r.user_name as string | null) ?? null,
      action: String(r.action),
      field: (r.field as string | null) ?? null,
      old_value: decode(r.old_value as string | null),
      new_value: decode(r.new_value as string | null),
      created_at: new Date(r.created_at as string).toISOString(),
      restorable: r.action === 'update' && RESTORABLE_FIELDS.has(String(r.field)) || (r.action === 'update' && String(r.field).startsWith('custom.')),
    }));
  }
}

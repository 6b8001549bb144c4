/** The import records (crm_imports), their row outcomes (crm_import_rows) and remembered mappings. */
import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ImportFormat, ImportOptions, ImportState, MappingTarget } from '../import-contract.js';
import type { Reason } from './row-mapper.js';
import { headerKey } from './targets.js';

export interface ImportRow {
  id: number;
  state: ImportState;
  file_name: string;
  upload_id: string;
  format: ImportFormat;
  headers: string[];
  mapping: MappingTarget[];
  options: ImportOptions;
  dry_run: boolean;
  total: number | null;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  line: number;
  job_id: string | null;
  undo_job_id: string | null;
  undo_result: { trashed: number; restored: number; kept: number } | null;
  user_id: number | null;
  user_name: string | null;
  error: Reason | null;
  created_at: Date;
  finished_at: Date | null;
}

export type Outcome = 'created' | 'updated' | 'skipped' | 'failed';

export interface OutcomeRow {
  /** The row's line; for a range of created contacts, the line of the first. */
  line: number;
  outcome: Outcome;
  contactId: number | null;
  /** Created contacts recorded as one range: the last id (`contactId` is the first). */
  lastContactId?: number | null;
  reason: Reason | null;
  cells: string[] | null;
  /** An update's undo: the version it left, the old values, and what plugin columns changed (`io`, by column). */
  undo: { version: number; old: Record<string, unknown>; io?: Record<string, unknown> } | null;
}

export interface Counters {
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const OUTCOME_COLUMNS = '(import_id, line, outcome, contact_id, last_contact_id, reason, cells, undo_values)';

function toImport(r: Record<string, unknown>): ImportRow {
  return {
    id: Number(r.id),
    state: r.state as ImportState,
    file_name: String(r.file_name),
    upload_id: String(r.upload_id),
    format: r.format as ImportFormat,
    headers: json(r.headers),
    mapping: json(r.mapping),
    options: json(r.options),
    dry_run: Boolean(Number(r.dry_run)),
    total: r.total === null ? null : Number(r.total),
    processed: Number(r.processed),
    created: Number(r.created),
    updated: Number(r.updated),
    skipped: Number(r.skipped),
    failed: Number(r.failed),
    line: Number(r.line),
    job_id: (r.job_id as string | null) ?? null,
    undo_job_id: (r.undo_job_id as string | null) ?? null,
    undo_result: r.undo_result ? json(r.undo_result) : null,
    user_id: r.user_id === null ? null : Number(r.user_id),
    user_name: (r.user_name as string | null) ?? null,
    error: r.error ? json(r.error) : null,
    created_at: new Date(r.created_at as string),
    finished_at: r.finished_at ? new Date(r.finished_at as string) : null,
  };
}

/** The hash remembered mappings are found by: the header list as the user means it. */
export function headersHash(headers: string[]): string {
  return createHash('sha256').update(JSON.stringify(headers.map(headerKey))).digest('hex');
}

export class ImportStore {
  constructor(private readonly db: Sequelize) {}

  async create(input: { fileName: string; uploadId: string; format: ImportFormat; headers: string[]; mapping: MappingTarget[]; options: ImportOptions; userId: number; total: number }): Promise<number> {
    const now = new Date();
    return this.db.transaction(async (transaction) => {
      await this.db.query(
        'INSERT INTO crm_imports (state, file_name, upload_id, format, headers, mapping, options, dry_run, user_id, total, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        {
          replacements: ['queued', input.fileName.slice(0, 190), input.uploadId, input.format, JSON.stringify(input.headers), JSON.stringify(input.mapping), JSON.stringify(input.options), input.options.dry_run, input.userId, input.total, now],
          transaction,
        },
      );
      const [row] = await this.db.query<{ id: number }>('SELECT MAX(id) AS id FROM crm_imports WHERE user_id = ?', { replacements: [input.userId], type: QueryTypes.SELECT, transaction });
      return Number(row!.id);
    });
  }

  async get(id: number, transaction?: Transaction): Promise<ImportRow | null> {
    const rows = await this.db.query<Record<string, unknown>>('SELECT i.*, u.name AS user_name FROM crm_imports i LEFT JOIN host_users u ON u.id = i.user_id WHERE i.id = ?', {
      replacements: [id],
      type: QueryTypes.SELECT,
      transaction,
    });
    return rows[0] ? toImport(rows[0]) : null;
  }

  async list(userId: number | null, limit: number): Promise<ImportRow[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT i.*, u.name AS user_name FROM crm_imports i LEFT JOIN host_users u ON u.id = i.user_id ${userId === null ? '' : 'WHERE i.user_id = ?'} ORDER BY i.id DESC LIMIT ${Math.floor(limit)}`,
      { replacements: userId === null ? [] : [userId], type: QueryTypes.SELECT },
    );
    return rows.map(toImport);
  }

  /** The staged uploads of imports still queued or running (their files must stay). */
  async activeUploads(): Promise<Set<string>> {
    const rows = await this.db.query<{ upload_id: string }>("SELECT DISTINCT upload_id FROM crm_imports WHERE state IN ('queued', 'running')", { type: QueryTypes.SELECT });
    return new Set(rows.map((r) => r.upload_id));
  }

  /** Sets columns of the record (fixed names from this module, never user input). */
  async set(id: number, values: Partial<Record<'state' | 'total' | 'job_id' | 'undo_job_id' | 'undo_result' | 'error' | 'finished_at' | keyof Counters | 'line', unknown>>, transaction?: Transaction): Promise<void> {
    const entries = Object.entries(values).map(([k, v]) => [k, k === 'undo_result' || k === 'error' ? (v === null ? null : JSON.stringify(v)) : v] as const);
    await this.db.query(`UPDATE crm_imports SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`, { replacements: [...entries.map(([, v]) => v), id], transaction });
  }

  /** Adds a batch's counts and moves the committed line forward, in the batch's transaction. */
  async advance(id: number, add: Counters, line: number, transaction?: Transaction): Promise<void> {
    await this.db.query(
      'UPDATE crm_imports SET processed = processed + ?, created = created + ?, updated = updated + ?, skipped = skipped + ?, failed = failed + ?, line = ? WHERE id = ?',
      { replacements: [add.processed, add.created, add.updated, add.skipped, add.failed, line, id], transaction },
    );
  }

  async writeOutcomes(importId: number, rows: OutcomeRow[], transaction?: Transaction): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await this.db.query(`INSERT INTO crm_import_rows ${OUTCOME_COLUMNS} VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`, {
        replacements: part.flatMap((r) => [
          importId,
          r.line,
          r.outcome,
          r.contactId,
          r.lastContactId ?? null,
          r.reason ? JSON.stringify(r.reason) : null,
          r.cells ? JSON.stringify(r.cells) : null,
          r.undo ? JSON.stringify(r.undo) : null,
        ]),
        transaction,
      });
    }
  }

  /** Forgets outcomes (a validation pass that found nothing wrong is followed by the real one). */
  async clearOutcomes(importId: number): Promise<void> {
    await this.db.query('DELETE FROM crm_import_rows WHERE import_id = ?', { replacements: [importId] });
  }

  /** Outcomes of one kind in line order, a page at a time (keyset on id). */
  async outcomes(importId: number, outcome: Outcome, afterId: number, limit: number): Promise<Array<OutcomeRow & { id: number }>> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT id, line, outcome, contact_id, last_contact_id, reason, cells, undo_values FROM crm_import_rows WHERE import_id = ? AND outcome = ? AND id > ? ORDER BY id LIMIT ${Math.floor(limit)}`,
      { replacements: [importId, outcome, afterId], type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({
      id: Number(r.id),
      line: Number(r.line),
      outcome: r.outcome as Outcome,
      contactId: r.contact_id === null ? null : Number(r.contact_id),
      lastContactId: r.last_contact_id === null ? null : Number(r.last_contact_id),
      reason: r.reason ? json(r.reason) : null,
      cells: r.cells ? json(r.cells) : null,
      undo: r.undo_values ? json(r.undo_values) : null,
    }));
  }

  async rememberedMapping(headers: string[]): Promise<MappingTarget[] | null> {
    const rows = await this.db.query<{ mapping: string }>('SELECT mapping FROM crm_import_mappings WHERE header_hash = ?', { replacements: [headersHash(headers)], type: QueryTypes.SELECT });
    const mapping = rows[0] ? json<MappingTarget[]>(rows[0].mapping) : null;
    return mapping && mapping.length === headers.length ? mapping : null;
  }

  async rememberMapping(headers: string[], mapping: MappingTarget[]): Promise<void> {
    const hash = headersHash(headers);
    await this.db.transaction(async (transaction) => {
      await this.db.query('DELETE FROM crm_import_mappings WHERE header_hash = ?', { replacements: [hash], transaction });
      await this.db.query('INSERT INTO crm_import_mappings (header_hash, headers, mapping, updated_at) VALUES (?, ?, ?, ?)', {
        replacements: [hash, JSON.stringify(headers), JSON.stringify(mapping), new Date()],
        transaction,
      });
    });
  }
}

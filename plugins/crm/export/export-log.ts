/**
 * The export log (`crm_exports`): every export is recorded when it starts and completed when it
 * ends, with who, when, the format, the filter, the columns and how many contacts went out. A
 * user sees their own exports; administrators see everybody's. Files written by export jobs are
 * named here and expire after a day.
 */
import { DataTypes, Op, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { CurrentUser } from '../../../host/api.js';
import type { ExportFormat } from './export-writers.js';

/** How long a file written by an export job waits for its owner. */
export const FILE_TTL_MS = 24 * 60 * 60 * 1000;

export type ExportState = 'running' | 'done' | 'failed' | 'cancelled';
export type ExportDelivery = 'download' | 'file';

interface ExportRow extends Model {
  id: number;
  user_id: number | null;
  format: ExportFormat;
  state: ExportState;
  rows: number;
  columns: string;
  filter: string;
  delivery: ExportDelivery;
  file_name: string | null;
  job_id: string | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
  expires_at: Date | null;
}

export interface ExportRecord {
  id: number;
  user_id: number | null;
  format: ExportFormat;
  state: ExportState;
  rows: number;
  columns: string[];
  filter: string;
  delivery: ExportDelivery;
  job_id: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  /** A job's file that can still be downloaded (by its owner). */
  file_ready: boolean;
  expires_at: string | null;
}

function model(db: Sequelize): ModelStatic<ExportRow> {
  return (db.models.CrmExport as ModelStatic<ExportRow> | undefined) ??
    (db.define(
      'CrmExport',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        user_id: DataTypes.INTEGER,
        format: DataTypes.STRING(8),
        state: DataTypes.STRING(16),
        rows: DataTypes.INTEGER,
        columns: DataTypes.TEXT,
        filter: DataTypes.TEXT,
        delivery: DataTypes.STRING(16),
        file_name: DataTypes.STRING(190),
        job_id: DataTypes.STRING(64),
        error: DataTypes.TEXT,
        created_at: DataTypes.DATE,
        finished_at: DataTypes.DATE,
        expires_at: DataTypes.DATE,
      },
      { tableName: 'crm_exports', timestamps: false },
    ) as ModelStatic<ExportRow>);
}

function toRecord(r: ExportRow, now = Date.now()): ExportRecord {
  return {
    id: r.id,
    user_id: r.user_id,
    format: r.format,
    state: r.state,
    rows: r.rows,
    columns: JSON.parse(r.columns) as string[],
    filter: r.filter,
    delivery: r.delivery,
    job_id: r.job_id,
    error: r.error,
    created_at: new Date(r.created_at).toISOString(),
    finished_at: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    file_ready: r.state === 'done' && Boolean(r.file_name) && Boolean(r.expires_at) && new Date(r.expires_at!).getTime() > now,
    expires_at: r.expires_at ? new Date(r.expires_at).toISOString() : null,
  };
}

export class ExportLog {
  private readonly m: ModelStatic<ExportRow>;

  constructor(db: Sequelize) {
    this.m = model(db);
  }

  async start(entry: { userId: number; format: ExportFormat; columns: string[]; filter: string; delivery: ExportDelivery }): Promise<number> {
    const row = await this.m.create({
      user_id: entry.userId,
      format: entry.format,
      state: 'running',
      rows: 0,
      columns: JSON.stringify(entry.columns),
      filter: entry.filter,
      delivery: entry.delivery,
      created_at: new Date(),
    });
    return row.id;
  }

  async update(id: number, values: Partial<Pick<ExportRow, 'state' | 'rows' | 'file_name' | 'job_id' | 'error' | 'finished_at' | 'expires_at'>>): Promise<void> {
    await this.m.update(values, { where: { id } });
  }

  async finish(id: number, state: Exclude<ExportState, 'running'>, rows: number, extra: { fileName?: string; error?: string } = {}): Promise<void> {
    const now = new Date();
    await this.update(id, {
      state,
      rows,
      finished_at: now,
      error: extra.error ?? null,
      ...(extra.fileName ? { file_name: extra.fileName, expires_at: new Date(now.getTime() + FILE_TTL_MS) } : {}),
    });
  }

  /** The most recent exports: the user's own, or everybody's for an administrator. */
  async recent(user: CurrentUser, limit = 20): Promise<ExportRecord[]> {
    const rows = await this.m.findAll({ where: user.isAdmin ? {} : { user_id: user.id }, order: [['id', 'DESC']], limit });
    return rows.map((r) => toRecord(r));
  }

  /** One export the user may see (own, or any for an administrator), else null. */
  async get(user: CurrentUser, id: number): Promise<ExportRecord | null> {
    const row = await this.m.findByPk(id);
    if (!row || (row.user_id !== user.id && !user.isAdmin)) return null;
    return toRecord(row);
  }

  /** The file name of a job's export ready for download by this user: only its owner may fetch it. */
  async fileOf(user: CurrentUser, id: number): Promise<{ record: ExportRecord; fileName: string } | null> {
    const row = await this.m.findByPk(id);
    if (!row || row.user_id !== user.id) return null;
    const record = toRecord(row);
    return record.file_ready ? { record, fileName: row.file_name! } : null;
  }

  /** Forgets the files whose time is up; returns their names so the caller deletes them. */
  async expire(now = new Date()): Promise<string[]> {
    const rows = await this.m.findAll({ where: { file_name: { [Op.ne]: null }, expires_at: { [Op.lt]: now } } });
    if (!rows.length) return [];
    await this.m.update({ file_name: null }, { where: { id: rows.map((r) => r.id) } });
    return rows.map((r) => r.file_name!);
  }
}

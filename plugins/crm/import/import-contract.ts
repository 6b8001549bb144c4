/**
 * The contract between the three parts of the import: reading a file (`reading/`), turning rows
 * into contacts (`engine/`) and the wizard and API (`web/`). Each part is built against these
 * types; change them only together with the other parts.
 */
import type { CurrentUser } from '../../../host/api.js';

// ---------------------------------------------------------------------------------------------
// Reading a file (implemented in reading/)

export type ImportFormat = 'csv' | 'xlsx';

/** The text encodings a CSV may come in (names as iconv-lite knows them). */
export const IMPORT_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1250', 'iso-8859-2', 'windows-1251', 'koi8-r', 'koi8-u'] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];

export const IMPORT_DELIMITERS = [',', ';', '\t'] as const;
export type ImportDelimiter = (typeof IMPORT_DELIMITERS)[number];

/** What the user may override in the preview; anything left out is detected. */
export interface ReadOptions {
  encoding?: ImportEncoding;
  delimiter?: ImportDelimiter;
  /** Whether the first row holds column names. */
  header?: boolean;
}

/** A problem that does not stop reading (e.g. duplicate header names), shown in the preview. */
export interface ReadWarning {
  /** i18n key (crm:...) and its parameters. */
  messageKey: string;
  params?: Record<string, unknown>;
}

export interface FileSniff {
  format: ImportFormat;
  /** CSV only; null for XLSX. */
  encoding: ImportEncoding | null;
  delimiter: ImportDelimiter | null;
  header: boolean;
  /** Column names: the header row's cells, made unique ("Email", "Email (2)"), or "1", "2", ... without a header. */
  headers: string[];
  /** The first data rows (after the header), each padded or cut to `headers.length` for display. */
  rows: string[][];
  warnings: ReadWarning[];
  /** The options in effect (detected or overridden): pass them to readImportRows. */
  options: Required<ReadOptions>;
}

/** One data row of the file; `line` is its 1-based row number in the file (header = row 1). */
export interface ImportRow {
  line: number;
  cells: string[];
}

// ---------------------------------------------------------------------------------------------
// Turning rows into contacts (implemented in engine/)

export type DedupeKey = 'email' | 'phone' | 'tax_id' | 'external_id';
export type OnDuplicate = 'create' | 'skip' | 'update';

/**
 * Where a column goes: `skip`; a standard field (`first_name`, `last_name`, `middle_name`,
 * `full_name`, `company_name`, `job_title`, `email`, `phone`, `website`, `domain`, `tax_id`
 * (type detected by checksum) or `tax_id.<type>`, `messenger.<type>`, `address.<part>`,
 * `birthday`, `comment`, `kind`, `status`, `category`, `client_type`, `source`, `responsible`
 * (user by email or name), `company` (existing company by name, tax id or external id),
 * `external_id`); a custom field `custom.<key>`; a plugin's column `io.<pluginId>.<columnId>`.
 */
export type MappingTarget = string;

export interface ImportTargetInfo {
  id: MappingTarget;
  /** Translated for the caller. */
  title: string;
  group: 'standard' | 'custom' | 'plugin';
  /** Several columns may map to it (emails, phones, tags...). */
  multiple: boolean;
}

export interface ImportOptions {
  dedupe_keys: DedupeKey[];
  on_duplicate: OnDuplicate;
  /** Report what would happen; write nothing. */
  dry_run: boolean;
  /** Import the valid rows when some fail; otherwise an invalid row stops the import before anything is written. */
  keep_valid: boolean;
  /** Kind of the contacts created when no column says: persons, companies. */
  kind: 'person' | 'company';
  /** Applied to every imported contact. */
  apply: { tags?: string[]; status_id?: number | null; responsible_id?: number | null; class_id?: number | null };
  read: ReadOptions;
}

export type ImportState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'undone';

export interface ImportRecord {
  id: number;
  state: ImportState;
  file_name: string;
  format: ImportFormat;
  dry_run: boolean;
  total: number | null;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  job_id: string | null;
  user_id: number | null;
  user_name: string | null;
  created_at: string;
  finished_at: string | null;
  /** Translated reason when the whole import failed. */
  error: string | null;
  can_undo: boolean;
  /** After an undo: contacts moved to the trash, restored, and kept as they were because changed since. */
  undo_result: { trashed: number; restored: number; kept: number } | null;
}

export interface ImportService {
  /** Keeps an uploaded file (moved into the data folder) and reads its start. 400/415 for a file that cannot be imported. */
  stage(user: CurrentUser, file: { path: string; originalName: string }, read?: ReadOptions): Promise<{ uploadId: string; sniff: FileSniff }>;
  /** Reads a staged file's start again with overrides (encoding, delimiter, header). */
  preview(user: CurrentUser, uploadId: string, read: ReadOptions): Promise<FileSniff>;
  /** Every place a column can go, titles in `lng`. */
  targets(user: CurrentUser, lng: string): Promise<ImportTargetInfo[]>;
  /** The mapping remembered for exactly these headers, else one suggested from the header names (four languages). */
  suggestMapping(user: CurrentUser, headers: string[]): Promise<MappingTarget[]>;
  /** Checks mapping and options (400 with details), remembers the mapping, records the import and queues its job. */
  start(user: CurrentUser, uploadId: string, mapping: MappingTarget[], options: ImportOptions): Promise<ImportRecord>;
  get(user: CurrentUser, id: number): Promise<ImportRecord>;
  /** The staged file, mapping and options an import was started with (the wizard runs a dry run for real with them). */
  settings(user: CurrentUser, id: number): Promise<{ uploadId: string; mapping: MappingTarget[]; options: ImportOptions }>;
  list(user: CurrentUser, limit?: number): Promise<ImportRecord[]>;
  /** The failed rows as CSV (the file's own columns plus a reason column), to fix and import again. */
  failedRowsCsv(user: CurrentUser, id: number, lng: string): Promise<NodeJS.ReadableStream>;
  cancel(user: CurrentUser, id: number): Promise<ImportRecord>;
  /** Deletes what the import created and restores what it updated from history; as a job. */
  undo(user: CurrentUser, id: number): Promise<ImportRecord>;
}

/** Container token of the ImportService (internal to the CRM plugin, bound in engine/). */
export const ImportTokens = {
  Service: Symbol.for('crm.import.Service'),
} as const;

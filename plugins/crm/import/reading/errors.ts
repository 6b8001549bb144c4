import { HttpError } from '../../../../host/api.js';

/** Stable error codes of reading an import file; the message key is `crm:import-file.<code without "import_">`. */
export type ImportFileErrorCode =
  | 'import_empty'
  | 'import_no_rows'
  | 'import_unsupported_type'
  | 'import_unsupported_encoding'
  | 'import_zip_bomb'
  | 'import_bad_quotes'
  | 'import_too_many_columns'
  | 'import_mixed_encoding'
  | 'import_cell_too_long'
  | 'import_row_too_long'
  | 'import_unreadable';

const STATUS: Partial<Record<ImportFileErrorCode, number>> = {
  import_unsupported_type: 415,
  import_unsupported_encoding: 415,
  import_zip_bomb: 413,
};

/** The HttpError for a file that cannot be imported; `variant` picks a more specific message for the same code. */
export function importFileError(code: ImportFileErrorCode, params?: Record<string, unknown>, variant?: string): HttpError {
  const key = `crm:import-file.${variant ?? code.replace(/^import_/, '')}`;
  return new HttpError(STATUS[code] ?? 400, code, key, undefined, params);
}

/**
 * Reading import files (CSV and XLSX) into rows, safely: the part of the import that knows about
 * bytes, encodings, quoting and zips. See import-contract.ts for the types.
 */
export { sniffImportFile } from './sniff.js';
export { readImportRows, scanImportFile, countImportRows, detectImportFormat } from './rows.js';
export {
  MAX_IMPORT_FILE_BYTES, MAX_IMPORT_COLUMNS, MAX_IMPORT_CELL_CHARS, MAX_IMPORT_RECORD_CHARS,
  MAX_ZIP_UNCOMPRESSED_BYTES, MAX_ZIP_ENTRIES, MAX_ZIP_RATIO,
} from './limits.js';
export type { ImportFileErrorCode } from './errors.js';

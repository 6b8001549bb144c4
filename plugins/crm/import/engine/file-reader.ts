/**
 * What the engine needs from the reading part (plugins/crm/import/reading): the functions of its
 * contract, as one object so the service is handed them once (and a test can count calls).
 */
import { readImportRows, scanImportFile, sniffImportFile } from '../reading/index.js';
import type { FileSniff, ImportFormat, ImportRow, ReadOptions } from '../import-contract.js';

export interface ImportFileReader {
  sniff(path: string, options?: ReadOptions): Promise<FileSniff>;
  /** Structural check of the whole file before the import starts (throws an HttpError). */
  scan(path: string, options: Required<ReadOptions>, format: ImportFormat): Promise<{ rows: number }>;
  rows(path: string, options: Required<ReadOptions>, format: ImportFormat): AsyncIterable<ImportRow>;
}

export const fileReader: ImportFileReader = {
  sniff: (path, options) => sniffImportFile(path, options),
  scan: (path, options, format) => scanImportFile(path, options, format),
  rows: (path, options, format) => readImportRows(path, options, format),
};

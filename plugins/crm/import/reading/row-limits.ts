import { importFileError } from './errors.js';
import { MAX_IMPORT_CELL_CHARS, MAX_IMPORT_COLUMNS } from './limits.js';

/** Refuses a row wider than MAX_IMPORT_COLUMNS or with a cell longer than MAX_IMPORT_CELL_CHARS. */
export function checkRow(cells: string[], line: number): void {
  if (cells.length > MAX_IMPORT_COLUMNS) throw importFileError('import_too_many_columns', { line, count: cells.length, max: MAX_IMPORT_COLUMNS });
  for (let i = 0; i < cells.length; i++) {
    if (cells[i].length > MAX_IMPORT_CELL_CHARS) throw importFileError('import_cell_too_long', { line, column: i + 1, max: MAX_IMPORT_CELL_CHARS });
  }
}

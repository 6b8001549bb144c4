/**
 * The options of an export as the API's query, the export page's form and the CLI give them:
 * their JSON Schema properties and their translation into an ExportInput.
 */
import type { Language } from '../../../host/api.js';
import type { ExportInput } from './export-service.js';
import { CSV_DELIMITERS, EXPORT_FORMATS, type CsvDelimiter, type ExportFormat } from './export-writers.js';

export const exportOptionProperties = {
  format: { enum: [...EXPORT_FORMATS], default: 'xlsx' },
  /** Comma-separated (API, CLI) or repeated (the page's checkboxes). */
  columns: { type: 'array', maxItems: 300, items: { type: 'string', maxLength: 5000 } },
  delimiter: { enum: Object.keys(CSV_DELIMITERS), default: 'comma' },
  bom: { type: 'boolean', default: false },
};

/** Names of the option parameters; every other parameter of the API's query is a list filter. */
export const OPTION_NAMES = new Set([...Object.keys(exportOptionProperties), 'mode']);

export interface ExportOptionValues {
  format?: ExportFormat;
  columns?: string[];
  delimiter?: CsvDelimiter;
  bom?: boolean;
}

/** Column ids from comma-separated or repeated values, blanks dropped (the service refuses unknown ones). */
export function columnList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function exportInput(options: ExportOptionValues, filter: string, language: Language): ExportInput {
  return {
    format: options.format ?? 'xlsx',
    columns: columnList(options.columns),
    filter,
    csv: { delimiter: options.delimiter ?? 'comma', bom: options.bom ?? false },
    language,
  };
}

/** The filter part of a query: every parameter but the export's own options, as a query string. */
export function filterOf(query: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (OPTION_NAMES.has(key)) continue;
    for (const v of ([] as unknown[]).concat(value)) if (v !== undefined && v !== null) search.append(key, String(v));
  }
  return search.toString();
}

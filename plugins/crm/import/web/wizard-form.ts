/**
 * The wizard's settings form (preview page): its schema, reading a post into the import's
 * mapping and options, and the same values back for re-rendering, so nothing the user entered
 * is lost when the page comes back with errors or a re-read file.
 */
import type { FieldError, JsonSchema } from '../../../../host/api.js';
import { IMPORT_ENCODINGS, type DedupeKey, type ImportDelimiter, type ImportEncoding, type ImportOptions, type MappingTarget, type ReadOptions } from '../import-contract.js';
import { DEDUPE_KEYS, KINDS, MAX_COLUMNS, MAX_TAG_LENGTH, MAX_TAGS, ON_DUPLICATE, defaultOptions } from './import-options.js';

/** Delimiters by name: a tab does not survive an HTML attribute and a form post unharmed. */
export const DELIMITER_NAMES: Record<string, ImportDelimiter> = { comma: ',', semicolon: ';', tab: '\t' };
export const delimiterName = (d: ImportDelimiter | null | undefined) => Object.keys(DELIMITER_NAMES).find((k) => DELIMITER_NAMES[k] === d) ?? '';

/** "clients": persons or companies; "people": contact persons joined to companies that exist. */
export const MODES = ['clients', 'people'] as const;
export type WizardMode = (typeof MODES)[number];
export const ACTIONS = ['reread', 'dry_run', 'import'] as const;
export type WizardAction = (typeof ACTIONS)[number];

export const MAP_FIELD = /^map_(\d{1,3})$/;
const idText = { type: 'string', pattern: '^([1-9][0-9]{0,9})?$' };

export const wizardSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    _csrf: { type: 'string', maxLength: 1000 },
    action: { enum: [...ACTIONS] },
    mode: { enum: [...MODES] },
    encoding: { enum: ['', ...IMPORT_ENCODINGS] },
    delimiter: { enum: ['', ...Object.keys(DELIMITER_NAMES)] },
    header: { enum: ['', '1', '0'] },
    /** The columns the mapping was chosen for; a re-read file with other columns gets a new suggestion. */
    headers: { type: 'string', maxLength: 200_000 },
    dedupe_keys: { type: 'array', maxItems: DEDUPE_KEYS.length, items: { enum: [...DEDUPE_KEYS] } },
    on_duplicate: { enum: [...ON_DUPLICATE] },
    kind: { enum: [...KINDS] },
    tags: { type: 'string', maxLength: 5000 },
    status_id: idText,
    responsible_id: idText,
    class_id: idText,
    keep_valid: { enum: ['on', '1', 'true'] },
  },
  patternProperties: { [MAP_FIELD.source]: { type: 'string', maxLength: 200 } },
};

export interface WizardForm {
  mode: WizardMode;
  read: ReadOptions;
  /** Null: use the suggestion for the file's headers. */
  mapping: MappingTarget[] | null;
  headers: string[] | null;
  options: ImportOptions;
  /** The tags as typed, shown back unchanged. */
  tagsText: string;
}

export function defaultForm(mode: WizardMode = 'clients'): WizardForm {
  return { mode, read: {}, mapping: null, headers: null, options: { ...defaultOptions(), kind: 'person' }, tagsText: '' };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const optionalId = (v: unknown) => (str(v) ? Number(str(v)) : null);

function headersOf(text: string): string[] | null {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) && parsed.every((h) => typeof h === 'string') ? (parsed as string[]) : null;
  } catch {
    return null;
  }
}

export function splitTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

/** A post that passed `wizardSchema` (coerced), as the wizard's values. */
export function formFromBody(body: Record<string, unknown>): WizardForm {
  const mode = (str(body.mode) || 'clients') as WizardMode;
  const read: ReadOptions = {};
  if (str(body.encoding)) read.encoding = str(body.encoding) as ImportEncoding;
  if (str(body.delimiter)) read.delimiter = DELIMITER_NAMES[str(body.delimiter)];
  if (str(body.header)) read.header = str(body.header) === '1';
  const mapped = Object.keys(body)
    .map((k) => MAP_FIELD.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  const columns = mapped.length ? Math.min(Math.max(...mapped) + 1, MAX_COLUMNS) : 0;
  const mapping = columns ? Array.from({ length: columns }, (_, i) => str(body[`map_${i}`]) || 'skip') : null;
  const tagsText = str(body.tags);
  const options: ImportOptions = {
    dedupe_keys: (Array.isArray(body.dedupe_keys) ? body.dedupe_keys : []) as DedupeKey[],
    on_duplicate: (str(body.on_duplicate) || 'skip') as ImportOptions['on_duplicate'],
    dry_run: body.action === 'dry_run',
    keep_valid: Boolean(body.keep_valid),
    // Contact persons of existing companies are persons whatever the form says.
    kind: mode === 'people' ? 'person' : ((str(body.kind) || 'person') as ImportOptions['kind']),
    apply: {
      tags: splitTags(tagsText),
      status_id: optionalId(body.status_id),
      responsible_id: optionalId(body.responsible_id),
      class_id: optionalId(body.class_id),
    },
    read,
  };
  return { mode, read, mapping, headers: headersOf(str(body.headers)), options, tagsText };
}

/** The values a previous import ran with (a dry run to repeat, an import to redo with changes). */
export function formFromSettings(settings: { mapping: MappingTarget[]; options: ImportOptions }, headers: string[]): WizardForm {
  const { options } = settings;
  return {
    mode: settings.mapping.includes('company') && options.kind === 'person' ? 'people' : 'clients',
    read: options.read,
    mapping: settings.mapping,
    headers,
    options: { ...options, dry_run: false },
    tagsText: (options.apply.tags ?? []).join(', '),
  };
}

/** Checks what the schema cannot: the tags, and that contact persons are joined to a company column. */
export function checkForm(form: WizardForm): FieldError[] {
  const errors: FieldError[] = [];
  const tags = form.options.apply.tags ?? [];
  if (tags.length > MAX_TAGS) errors.push({ field: 'tags', code: 'maxItems', message: 'crm:import-wizard.errors.too_many_tags', params: { max: MAX_TAGS } });
  if (tags.some((t) => t.length > MAX_TAG_LENGTH)) errors.push({ field: 'tags', code: 'maxLength', message: 'crm:import-wizard.errors.tag_too_long', params: { max: MAX_TAG_LENGTH } });
  if (form.mode === 'people' && !(form.mapping ?? []).includes('company')) {
    errors.push({ field: 'mapping', code: 'company_required', message: 'crm:import-wizard.errors.company_column_required' });
  }
  if (form.mapping && form.mapping.every((m) => m === 'skip')) errors.push({ field: 'mapping', code: 'nothing_mapped', message: 'crm:import-wizard.errors.nothing_mapped' });
  return errors;
}

/** The mapping to show for these headers: the posted one when it was made for the same columns, else the suggestion. */
export function mappingFor(form: WizardForm, headers: string[], suggested: MappingTarget[]): MappingTarget[] {
  const same = form.mapping && form.headers && form.headers.length === headers.length && form.headers.every((h, i) => h === headers[i]);
  return same ? headers.map((_, i) => form.mapping![i] ?? 'skip') : suggested;
}

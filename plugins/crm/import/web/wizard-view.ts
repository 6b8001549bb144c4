/**
 * What the wizard's pages show, built from the service's answers and the user's form: the read
 * options with the detected ones marked, the preview table with a mapping select under each
 * column, the duplicate policy, the values applied to every contact, and an import's summary.
 */
import type { Request } from 'express';
import { TOKENS, type FieldError, type JobInfo, type PluginContext, type PluginManager, type UsersService } from '../../../../host/api.js';
import { CrmTokens } from '../../api.js';
import { DictionariesService } from '../../services/dictionaries-service.js';
import { IMPORT_ENCODINGS, type FileSniff, type ImportRecord, type ImportTargetInfo, type MappingTarget } from '../import-contract.js';
import { DEDUPE_KEYS, KINDS, ON_DUPLICATE } from './import-options.js';
import { DELIMITER_NAMES, delimiterName, type WizardForm } from './wizard-form.js';

const GROUPS = ['standard', 'custom', 'plugin'] as const;

/** Field errors by field for the template (`options.apply.tags` -> `tags`), plus the ones no field shows. */
export function errorsFor(req: Request, errors: FieldError[]): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  const shown = new Set(['tags', 'status_id', 'responsible_id', 'class_id', 'dedupe_keys', 'on_duplicate', 'kind', 'mapping']);
  for (const e of errors) {
    const message = req.t(e.message, e.params ?? {});
    // `options.apply.tags.2` is shown at the tags input, `mapping.3` under the fourth column.
    const field = e.field.replace(/^options\.(apply\.)?/, '').replace(/\.\d+$/, '');
    const column = /^(?:mapping|map)[._](\d+)$/.exec(e.field);
    const key = column ? `map_${column[1]}` : shown.has(field) ? field : '';
    if (!key) other.push(message);
    else byField[key] ??= message;
  }
  return { byField, other };
}

function mappingSelect(req: Request, targets: ImportTargetInfo[], index: number, header: string, chosen: MappingTarget, error: string | undefined) {
  const known = targets.some((t) => t.id === chosen);
  return {
    index,
    header,
    name: `map_${index}`,
    id: `crm-import-map-${index}`,
    error,
    skip: chosen === 'skip' || !known,
    groups: GROUPS.map((g) => ({
      label: req.t(`crm:import-wizard.preview.group_${g}`),
      options: targets.filter((t) => t.group === g).map((t) => ({ value: t.id, label: t.title, selected: t.id === chosen })),
    })).filter((g) => g.options.length),
  };
}

/** The preview & settings page. */
export async function previewView(
  ctx: PluginContext,
  req: Request,
  input: { uploadId: string; sniff: FileSniff; targets: ImportTargetInfo[]; mapping: MappingTarget[]; form: WizardForm; errors: FieldError[] },
) {
  const { sniff, form } = input;
  const errors = errorsFor(req, input.errors);
  const t = (key: string, params?: Record<string, unknown>) => req.t(`crm:import-wizard.${key}`, params ?? {});
  const [statuses, users] = await Promise.all([ctx.get<DictionariesService>(CrmTokens.Dictionaries).list('status'), ctx.get<UsersService>(TOKENS.Users).list()]);
  const me = req.user!.id;
  const apply = form.options.apply;
  const detectedMark = (on: boolean) => (on ? ` (${t('preview.detected')})` : '');
  return {
    title: t('preview.title'),
    uploadId: input.uploadId,
    action: `/crm/import/uploads/${encodeURIComponent(input.uploadId)}`,
    mode: form.mode,
    people: form.mode === 'people',
    csv: sniff.format === 'csv',
    format: sniff.format.toUpperCase(),
    encodings: [
      { value: '', label: t('preview.detect'), selected: !form.read.encoding },
      ...IMPORT_ENCODINGS.map((e) => ({ value: e, label: `${e}${detectedMark(sniff.encoding === e && !form.read.encoding)}`, selected: form.read.encoding === e })),
    ],
    delimiters: [
      { value: '', label: t('preview.detect'), selected: !form.read.delimiter },
      ...Object.keys(DELIMITER_NAMES).map((name) => ({ value: name, label: `${t(`preview.delimiter_${name}`)}${detectedMark(delimiterName(sniff.delimiter) === name && !form.read.delimiter)}`, selected: delimiterName(form.read.delimiter) === name })),
    ],
    headerChoices: [
      { value: '', label: t('preview.detect'), selected: form.read.header === undefined },
      { value: '1', label: `${t('preview.header_yes')}${detectedMark(sniff.header && form.read.header === undefined)}`, selected: form.read.header === true },
      { value: '0', label: `${t('preview.header_no')}${detectedMark(!sniff.header && form.read.header === undefined)}`, selected: form.read.header === false },
    ],
    detected: {
      encoding: sniff.encoding,
      delimiter: sniff.delimiter ? t(`preview.delimiter_${delimiterName(sniff.delimiter)}`) : null,
      header: sniff.header ? t('preview.header_yes') : t('preview.header_no'),
    },
    warnings: sniff.warnings.map((w) => req.t(w.messageKey, w.params ?? {})),
    headersJson: JSON.stringify(sniff.headers),
    columns: sniff.headers.map((h, i) => mappingSelect(req, input.targets, i, h, input.mapping[i] ?? 'skip', errors.byField[`map_${i}`])),
    rows: sniff.rows,
    noRows: sniff.rows.length === 0,
    dedupe: DEDUPE_KEYS.map((k) => ({ value: k, label: t(`preview.key_${k}`), checked: form.options.dedupe_keys.includes(k) })),
    onDuplicate: ON_DUPLICATE.map((v) => ({ value: v, label: t(`preview.on_duplicate_${v}`), checked: form.options.on_duplicate === v })),
    kinds: KINDS.map((k) => ({ value: k, label: t(`preview.kind_${k}`), checked: form.options.kind === k })),
    tags: form.tagsText,
    statuses: statuses.map((s) => ({ value: String(s.id), label: DictionariesService.label(s, req.language), selected: apply.status_id === s.id })),
    users: users
      .filter((u) => u.isActive || u.id === apply.responsible_id)
      .sort((a, b) => (a.id === me ? -1 : b.id === me ? 1 : a.name.localeCompare(b.name, req.language)))
      .map((u) => ({ value: String(u.id), label: u.id === me ? req.t('crm:list.me', { name: u.name }) : u.name, selected: apply.responsible_id === u.id })),
    // Classes belong to the access plugin: the browser fills the select from its API when it is on.
    classes: ctx.get<PluginManager>(TOKENS.Plugins).isEnabled('access') ? { url: '/api/v1/classes', selected: apply.class_id ? String(apply.class_id) : '' } : null,
    keepValid: form.options.keep_valid,
    errors: errors.byField,
    otherErrors: errors.other,
    hasErrors: input.errors.length > 0,
    styles: ['/assets/p/crm/import.css'],
    scripts: ['/assets/p/crm/import.js'],
  };
}

/** The job's progress as the host's progress partial reads it. */
export function jobView(job: JobInfo) {
  return {
    id: job.id,
    state: job.state,
    processed: job.processed,
    total: job.total,
    percent: job.total ? Math.min(100, Math.round((job.processed / job.total) * 100)) : job.state === 'done' ? 100 : null,
    error: job.error,
  };
}

const RUNNING = new Set(['queued', 'running']);

/** One import in the recent list and on its own page. */
export function importView(req: Request, record: ImportRecord, job: JobInfo | null = null) {
  const base = `/crm/import/${record.id}`;
  const running = RUNNING.has(record.state) || (job !== null && RUNNING.has(job.state));
  return {
    ...record,
    href: base,
    stateLabel: req.t(`crm:import-wizard.state.${record.state}`),
    stateClass: record.state === 'done' ? 'success' : record.state === 'failed' ? 'danger' : RUNNING.has(record.state) ? 'primary' : 'secondary',
    running,
    errorsHref: record.failed > 0 ? `${base}/errors` : null,
    undoAction: record.can_undo && !running ? `${base}/undo` : null,
  };
}

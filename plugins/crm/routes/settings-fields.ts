/**
 * Custom fields settings: the list (drag to reorder), the create and edit form, delete. Every
 * write goes through FieldsService; its per-field errors are shown beside the fields with the
 * administrator's values kept.
 */
import type { Request, Response } from 'express';
import { HttpError, LANGUAGES, TOKENS, type FieldError, type PluginContext, type ValidationService } from '../../../host/api.js';
import { CrmTokens, type FieldDefinition, type FieldType } from '../api.js';
import { FIELD_TYPES, FieldsService } from '../services/fields-service.js';
import { SETTINGS_BASE, SETTINGS_RIGHT, checked, errorMap, redirectWithFlash, formErrors, idParam, labelsOf, renderSettings, text } from './settings-common.js';

const BASE = `${SETTINGS_BASE}/fields`;
const MAX_OPTIONS = 500;
const OPTION_LENGTH = 190;
/** The options are stored as JSON in a TEXT column, which holds 64 KB on MariaDB. */
const OPTIONS_BYTES = 60_000;

export const FIELD_TYPE_ICONS: Record<FieldType, string> = {
  text: 'fonts',
  long_text: 'text-paragraph',
  number: '123',
  money: 'cash-coin',
  date: 'calendar-event',
  select: 'menu-button-wide',
  multi_select: 'ui-checks',
  checkbox: 'check2-square',
  url: 'link-45deg',
  email: 'envelope',
  phone: 'telephone',
};

const label = { type: 'string', maxLength: 190 } as const;
/** The form as posted; the service checks the meaning (key pattern, English label, options). */
const fieldFormSchema = {
  type: 'object',
  properties: {
    key: { type: 'string', maxLength: 64 },
    type: { type: 'string', maxLength: 20 },
    labels: { type: 'object', properties: Object.fromEntries(LANGUAGES.map((l) => [l, label])) },
    required: { type: 'string', maxLength: 10 },
    in_list: { type: 'string', maxLength: 10 },
    active: { type: 'string', maxLength: 10 },
    options: { type: 'string', maxLength: 100_000 },
  },
};

const orderSchema = {
  type: 'object',
  required: ['ids'],
  properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'integer', minimum: 1 } } },
};

/** What the form shows: a stored definition or the values the administrator just posted. */
interface FieldForm {
  id?: number;
  key: string;
  type: string;
  labels: Record<string, string>;
  required: boolean;
  in_list: boolean;
  active: boolean;
  options: string;
}

function isChoice(type: string): boolean {
  return type === 'select' || type === 'multi_select';
}

/** One option per line, trimmed, blank lines and repeats dropped. */
function parseOptions(value: string): string[] {
  return [...new Set(value.split(/\r?\n/).map((o) => o.trim()).filter(Boolean))];
}

function formOf(f: FieldDefinition): FieldForm {
  return { id: f.id, key: f.key, type: f.type, labels: f.labels, required: f.required, in_list: f.in_list, active: f.active, options: f.options.join('\n') };
}

function postedForm(req: Request, id?: number, stored?: FieldDefinition): FieldForm {
  const b = (req.body ?? {}) as Record<string, unknown>;
  return {
    id,
    key: stored ? stored.key : text(b.key).trim(),
    type: stored ? stored.type : text(b.type),
    labels: labelsOf(b.labels),
    required: checked(b.required),
    in_list: checked(b.in_list),
    active: checked(b.active),
    options: text(b.options),
  };
}

/** Checks what the service does not: sizes, and the options' length and count. */
function checkForm(validation: ValidationService, body: unknown, form: FieldForm): FieldError[] {
  const errors = validation.validate(fieldFormSchema, body, true);
  if (isChoice(form.type)) {
    const options = parseOptions(form.options);
    if (options.length > MAX_OPTIONS) errors.push({ field: 'options', code: 'maxItems', message: 'host:validation.maxItems', params: { limit: MAX_OPTIONS } });
    if (options.some((o) => o.length > OPTION_LENGTH)) errors.push({ field: 'options', code: 'maxLength', message: 'crm:admin.fields.option_too_long', params: { limit: OPTION_LENGTH } });
    else if (Buffer.byteLength(JSON.stringify(options)) > OPTIONS_BYTES) errors.push({ field: 'options', code: 'maxLength', message: 'crm:admin.fields.options_too_long' });
  }
  return errors;
}

export function registerFieldSettings(ctx: PluginContext): void {
  const fields = () => ctx.get<FieldsService>(CrmTokens.Fields);
  const validation = () => ctx.get<ValidationService>(TOKENS.Validation);

  const find = async (id: number) => {
    const field = (await fields().all(true)).find((f) => f.id === id);
    if (!field) throw new HttpError(404, 'not_found', 'host:errors.not_found');
    return field;
  };

  const renderForm = async (req: Request, res: Response, form: FieldForm, errors: FieldError[] = []) => {
    const map = errorMap(req, errors);
    const shown = new Set(['key', 'type', 'options', ...LANGUAGES.map((l) => `labels_${l}`)]);
    const title = form.id ? FieldsService.label({ labels: form.labels, key: form.key } as FieldDefinition, req.language) : req.t('crm:admin.fields.new');
    await renderSettings(ctx, req, res, 'field-form', 'fields', {
      title,
      heading: title,
      field: form,
      editing: Boolean(form.id),
      action: form.id ? `${BASE}/${form.id}` : BASE,
      isChoice: isChoice(form.type),
      typeTitle: form.type ? req.t(`crm:admin.types.${form.type}`) : '',
      typeIcon: FIELD_TYPE_ICONS[form.type as FieldType] ?? 'question',
      types: FIELD_TYPES.map((t) => ({ value: t, title: req.t(`crm:admin.types.${t}`), selected: t === form.type })),
      languages: LANGUAGES.map((code) => ({
        code,
        name: req.t(`crm:admin.languages.${code}`),
        value: form.labels[code] ?? '',
        error: map[`labels_${code}`],
        required: code === 'en',
      })),
      errors: map,
      otherErrors: Object.entries(map).filter(([k]) => !shown.has(k)).map(([, m]) => m),
      hasErrors: errors.length > 0,
    });
  };

  ctx.route({
    method: 'get',
    path: '/settings',
    right: SETTINGS_RIGHT,
    handler: (_req, res) => res.redirect(BASE),
  });

  ctx.route({
    method: 'get',
    path: '/settings/fields',
    right: SETTINGS_RIGHT,
    handler: async (req, res) => {
      const list = (await fields().all(true)).map((f) => ({
        ...f,
        label: FieldsService.label(f, req.language),
        typeTitle: req.t(`crm:admin.types.${f.type}`),
        typeIcon: FIELD_TYPE_ICONS[f.type],
        optionsPreview: f.options.slice(0, 3).join(', '),
        moreOptions: Math.max(0, f.options.length - 3),
        isChoice: isChoice(f.type),
      }));
      await renderSettings(ctx, req, res, 'fields', 'fields', { title: req.t('crm:admin.fields.title'), fields: list, orderUrl: `${BASE}/order` });
    },
  });

  ctx.route({
    method: 'get',
    path: '/settings/fields/new',
    right: SETTINGS_RIGHT,
    handler: (req, res) => renderForm(req, res, { key: '', type: 'text', labels: {}, required: false, in_list: false, active: true, options: '' }),
  });

  ctx.route({
    method: 'post',
    path: '/settings/fields',
    right: SETTINGS_RIGHT,
    handler: async (req, res) => {
      const form = postedForm(req);
      try {
        const errors = checkForm(validation(), req.body, form);
        if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
        const created = await fields().create({
          key: form.key,
          type: form.type as FieldType,
          labels: form.labels,
          required: form.required,
          in_list: form.in_list,
          active: form.active,
          options: isChoice(form.type) ? parseOptions(form.options) : [],
        });
        await redirectWithFlash(req, res, 'success', req.t('crm:admin.fields.created', { name: FieldsService.label(created, req.language) }), BASE);
      } catch (err) {
        const { status, errors } = formErrors(err);
        res.status(status);
        await renderForm(req, res, form, errors);
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/settings/fields/order',
    right: SETTINGS_RIGHT,
    body: orderSchema,
    handler: async (req, res) => {
      const ids = (req.body as { ids: number[] }).ids;
      const known = new Set((await fields().all(true)).map((f) => f.id));
      if (ids.some((id) => !known.has(id)) || new Set(ids).size !== ids.length) {
        throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'ids', code: 'unknown', message: 'crm:errors.unknown_field' }]);
      }
      await fields().reorder(ids);
      res.json({ ok: true });
    },
  });

  ctx.route({
    method: 'get',
    path: '/settings/fields/:id',
    right: SETTINGS_RIGHT,
    handler: async (req, res) => renderForm(req, res, formOf(await find(idParam(req)))),
  });

  ctx.route({
    method: 'post',
    path: '/settings/fields/:id',
    right: SETTINGS_RIGHT,
    handler: async (req, res) => {
      const stored = await find(idParam(req));
      const form = postedForm(req, stored.id, stored);
      try {
        const errors = checkForm(validation(), req.body, form);
        if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
        const saved = await fields().update(stored.id, {
          labels: form.labels,
          required: form.required,
          in_list: form.in_list,
          active: form.active,
          ...(isChoice(stored.type) ? { options: parseOptions(form.options) } : {}),
        });
        await redirectWithFlash(req, res, 'success', req.t('crm:admin.fields.saved', { name: FieldsService.label(saved, req.language) }), BASE);
      } catch (err) {
        const { status, errors } = formErrors(err);
        res.status(status);
        await renderForm(req, res, form, errors);
      }
    },
  });

  ctx.route({
    method: 'post',
    path: '/settings/fields/:id/delete',
    right: SETTINGS_RIGHT,
    handler: async (req, res) => {
      const field = await find(idParam(req));
      await fields().remove(field.id);
      await redirectWithFlash(req, res, 'success', req.t('crm:admin.fields.deleted', { name: FieldsService.label(field, req.language) }), BASE);
    },
  });
}

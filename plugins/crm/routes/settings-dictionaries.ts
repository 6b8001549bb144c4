/**
 * Dictionary settings: one page per list (statuses, categories, client types, sources) with the
 * items in order (drag to reorder), an add / edit form beside them, activate and deactivate, and
 * delete, which the service turns into a deactivation when contacts use the item.
 */
import type { Request, Response } from 'express';
import { HttpError, LANGUAGES, TOKENS, type FieldError, type PluginContext, type ValidationService } from '../../../host/api.js';
import { CrmTokens, type DictionaryItem } from '../api.js';
import { DICTIONARIES, DictionariesService } from '../services/dictionaries-service.js';
import { DICTIONARY_SLUGS, SETTINGS_BASE, SETTINGS_RIGHT, checked, errorMap, redirectWithFlash, formErrors, idParam, labelsOf, renderSettings, text, textOn } from './settings-common.js';

/** Colours offered to a new status, in turn; the administrator may pick any. */
export const STATUS_PALETTE = ['#0d6efd', '#6f42c1', '#fd7e14', '#198754', '#d63384', '#20c997', '#0dcaf0', '#6c757d'];
const COLOR = /^#[0-9a-fA-F]{6}$/;

const label = { type: 'string', maxLength: 190 } as const;
const itemFormSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 190 },
    labels: { type: 'object', properties: Object.fromEntries(LANGUAGES.map((l) => [l, label])) },
    color: { type: 'string', maxLength: 20 },
  },
};

const orderSchema = {
  type: 'object',
  required: ['ids'],
  properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'integer', minimum: 1 } } },
};

interface ItemForm {
  id?: number;
  name: string;
  labels: Record<string, string>;
  color: string;
}

function postedForm(req: Request, id?: number): ItemForm {
  const b = (req.body ?? {}) as Record<string, unknown>;
  return { id, name: text(b.name).trim(), labels: labelsOf(b.labels), color: text(b.color).trim().toLowerCase() };
}

export function registerDictionarySettings(ctx: PluginContext): void {
  const dictionaries = () => ctx.get<DictionariesService>(CrmTokens.Dictionaries);
  const validation = () => ctx.get<ValidationService>(TOKENS.Validation);

  for (const dictionary of DICTIONARIES) {
    const slug = DICTIONARY_SLUGS[dictionary];
    const base = `${SETTINGS_BASE}/${slug}`;
    const path = `/settings/${slug}`;
    const coloured = dictionary === 'status';
    const key = (k: string) => `crm:admin.dictionaries.${dictionary}.${k}`;

    const find = async (id: number): Promise<DictionaryItem> => {
      const item = await dictionaries().get(id);
      // An item of another list is as unknown here as a missing one.
      if (!item || item.dictionary !== dictionary) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      return item;
    };

    /** Checks the form; the service itself trusts its callers on names and colours. */
    const check = async (req: Request, form: ItemForm): Promise<FieldError[]> => {
      const errors = validation().validate(itemFormSchema, req.body ?? {}, true);
      if (!form.name) errors.push({ field: 'name', code: 'required', message: 'host:validation.required' });
      if (coloured && !COLOR.test(form.color)) errors.push({ field: 'color', code: 'pattern', message: 'crm:admin.dictionaries.color_invalid' });
      const same = (await dictionaries().list(dictionary, true)).find((i) => i.id !== form.id && i.name.toLowerCase() === form.name.toLowerCase());
      if (form.name && same) errors.push({ field: 'name', code: 'unique', message: 'crm:admin.dictionaries.name_taken' });
      return errors;
    };

    const render = async (req: Request, res: Response, form: ItemForm | null, errors: FieldError[] = []) => {
      const items = await dictionaries().list(dictionary, true);
      const editing = form?.id ? items.find((i) => i.id === form.id) : undefined;
      const current: ItemForm = form ?? { name: '', labels: {}, color: STATUS_PALETTE[items.length % STATUS_PALETTE.length]! };
      const map = errorMap(req, errors);
      const shown = new Set(['name', 'color', ...LANGUAGES.map((l) => `labels_${l}`)]);
      await renderSettings(ctx, req, res, 'dictionary', dictionary, {
        title: req.t(key('title')),
        dictionary,
        coloured,
        strings: {
          title: req.t(key('title')),
          lead: req.t(key('lead')),
          add: req.t(key('add')),
          empty: req.t(key('empty')),
          edit: editing ? req.t('crm:admin.dictionaries.edit', { name: DictionariesService.label(editing, req.language) }) : '',
        },
        baseUrl: base,
        orderUrl: `${base}/order`,
        palette: STATUS_PALETTE,
        items: items.map((i) => ({
          ...i,
          // Only a plain hex colour reaches the style attribute, whatever the API stored.
          color: i.color && COLOR.test(i.color) ? i.color : null,
          label: DictionariesService.label(i, req.language),
          translations: LANGUAGES.filter((l) => i.labels[l]).map((l) => ({ code: l, text: i.labels[l] })),
          textOn: textOn(i.color),
          editing: i.id === editing?.id,
        })),
        form: {
          ...current,
          color: COLOR.test(current.color) ? current.color : STATUS_PALETTE[0],
          action: editing ? `${base}/${editing.id}` : base,
          editing: Boolean(editing),
          textOn: textOn(current.color),
          languages: LANGUAGES.map((code) => ({ code, name: req.t(`crm:admin.languages.${code}`), value: current.labels[code] ?? '', error: map[`labels_${code}`] })),
        },
        errors: map,
        otherErrors: Object.entries(map).filter(([k]) => !shown.has(k)).map(([, m]) => m),
        hasErrors: errors.length > 0,
      });
    };

    ctx.route({ method: 'get', path, right: SETTINGS_RIGHT, handler: (req, res) => render(req, res, null) });

    ctx.route({
      method: 'post',
      path,
      right: SETTINGS_RIGHT,
      handler: async (req, res) => {
        const form = postedForm(req);
        try {
          const errors = await check(req, form);
          if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
          const item = await dictionaries().create(dictionary, { name: form.name, labels: form.labels, color: coloured ? form.color : null });
          await redirectWithFlash(req, res, 'success', req.t('crm:admin.dictionaries.created', { name: DictionariesService.label(item, req.language) }), base);
        } catch (err) {
          const { status, errors } = formErrors(err);
          res.status(status);
          await render(req, res, form, errors);
        }
      },
    });

    ctx.route({
      method: 'post',
      path: `${path}/order`,
      right: SETTINGS_RIGHT,
      body: orderSchema,
      handler: async (req, res) => {
        const ids = (req.body as { ids: number[] }).ids;
        if (new Set(ids).size !== ids.length) {
          throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [{ field: 'ids', code: 'uniqueItems', message: 'host:validation.uniqueItems' }]);
        }
        await dictionaries().reorder(dictionary, ids);
        res.json({ ok: true });
      },
    });

    ctx.route({
      method: 'get',
      path: `${path}/:id`,
      right: SETTINGS_RIGHT,
      handler: async (req, res) => {
        const item = await find(idParam(req));
        await render(req, res, { id: item.id, name: item.name, labels: item.labels, color: item.color ?? STATUS_PALETTE[0]! });
      },
    });

    ctx.route({
      method: 'post',
      path: `${path}/:id`,
      right: SETTINGS_RIGHT,
      handler: async (req, res) => {
        const item = await find(idParam(req));
        const form = postedForm(req, item.id);
        try {
          const errors = await check(req, form);
          if (errors.length) throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', errors);
          const saved = await dictionaries().update(item.id, { name: form.name, labels: form.labels, ...(coloured ? { color: form.color } : {}) });
          await redirectWithFlash(req, res, 'success', req.t('crm:admin.dictionaries.saved', { name: DictionariesService.label(saved, req.language) }), base);
        } catch (err) {
          const { status, errors } = formErrors(err);
          res.status(status);
          await render(req, res, form, errors);
        }
      },
    });

    ctx.route({
      method: 'post',
      path: `${path}/:id/active`,
      right: SETTINGS_RIGHT,
      handler: async (req, res) => {
        const item = await find(idParam(req));
        const active = checked((req.body as Record<string, unknown> | undefined)?.active);
        await dictionaries().update(item.id, { active });
        const name = DictionariesService.label(item, req.language);
        await redirectWithFlash(req, res, 'success', req.t(active ? 'crm:admin.dictionaries.activated' : 'crm:admin.dictionaries.deactivated', { name }), base);
      },
    });

    ctx.route({
      method: 'post',
      path: `${path}/:id/delete`,
      right: SETTINGS_RIGHT,
      handler: async (req, res) => {
        const item = await find(idParam(req));
        const outcome = await dictionaries().remove(item.id);
        const name = DictionariesService.label(item, req.language);
        if (outcome === 'deleted') await redirectWithFlash(req, res, 'success', req.t('crm:admin.dictionaries.deleted', { name }), base);
        else await redirectWithFlash(req, res, 'warning', req.t('crm:admin.dictionaries.kept_in_use', { name }), base);
      },
    });
  }
}

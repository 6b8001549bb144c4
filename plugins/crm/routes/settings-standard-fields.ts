/**
 * Standard fields settings: every standard contact field with a switch to hide it. Fields are
 * never deleted or renamed here; the page only hides and shows them.
 */
import type { Request, Response } from 'express';
import { HttpError, TOKENS, type FieldError, type PluginContext, type SettingsStore } from '../../../host/api.js';
import { ALWAYS_SHOWN_FIELDS, HIDEABLE_FIELD_IDS, HIDEABLE_STANDARD_FIELDS, hiddenStandardFields, setHiddenStandardFields, type StandardField } from '../services/standard-fields.js';
import { SETTINGS_BASE, SETTINGS_RIGHT, errorMap, redirectWithFlash, formErrors, renderSettings } from './settings-common.js';

const BASE = `${SETTINGS_BASE}/standard-fields`;

export function registerStandardFieldSettings(ctx: PluginContext): void {
  const settings = () => ctx.get<SettingsStore>(TOKENS.Settings);

  const row = (req: Request, f: StandardField, hidden: boolean) => ({
    ...f,
    title: req.t(`crm:admin.standard.fields.${f.id}`),
    appliesTitle: req.t(`crm:admin.standard.applies.${f.applies}`),
    hidden,
  });

  const render = async (req: Request, res: Response, hidden: Set<string>, errors: FieldError[] = []) => {
    const map = errorMap(req, errors);
    await renderSettings(ctx, req, res, 'standard-fields', 'standard', {
      title: req.t('crm:admin.standard.title'),
      action: BASE,
      fields: HIDEABLE_STANDARD_FIELDS.map((f) => row(req, f, hidden.has(f.id))),
      locked: ALWAYS_SHOWN_FIELDS.map((f) => row(req, f, false)),
      hiddenCount: hidden.size,
      otherErrors: Object.values(map),
      hasErrors: errors.length > 0,
    });
  };

  ctx.route({
    method: 'get',
    path: '/settings/standard-fields',
    right: SETTINGS_RIGHT,
    handler: async (req, res) => render(req, res, await hiddenStandardFields(settings())),
  });

  ctx.route({
    method: 'post',
    path: '/settings/standard-fields',
    right: SETTINGS_RIGHT,
    handler: async (req, res) => {
      const raw = (req.body as Record<string, unknown> | undefined)?.hidden;
      const posted = ([] as unknown[]).concat(raw ?? []).map(String);
      try {
        const unknown = posted.filter((id) => !HIDEABLE_FIELD_IDS.includes(id));
        if (unknown.length) {
          // Names, emails, phones and the like cannot be hidden; an unknown name is a bad request.
          throw new HttpError(400, 'invalid_input', 'host:errors.invalid_input', [
            { field: 'hidden', code: 'enum', message: 'crm:admin.standard.not_hideable', params: { name: unknown.join(', ') } },
          ]);
        }
        const saved = await setHiddenStandardFields(settings(), posted);
        await redirectWithFlash(req, res, 'success', req.t('crm:admin.standard.saved', { count: saved.length }), BASE);
      } catch (err) {
        const { status, errors } = formErrors(err);
        res.status(status);
        await render(req, res, new Set(posted), errors);
      }
    },
  });
}

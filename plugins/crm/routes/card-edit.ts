/**
 * Editing one field of the card in place: the field as shown, its editor, and the save. A save
 * goes through ContactsService.update with the version the editor was opened with; errors come
 * back beside the inputs (400), and a stale version (409) shows the other person's value with a
 * choice: keep theirs, or overwrite with mine.
 */
import type { Request, Response } from 'express';
import { HttpError, type PluginContext } from '../../../host/api.js';
import type { Contact } from '../api.js';
import { patchContactSchema } from '../services/contact-input.js';
import { parseField, readValue, specFor, type FieldSpec } from './card-fields.js';
import { CardLookups, displayItems } from './card-format.js';
import { editorView, fieldErrors, fieldView, type FormView } from './card-editors.js';
import { headerModel, permissions } from './card-header.js';
import { cardServices, errorMap, formBody, idParam, isHttpError, notFound, sendFragment, str, user, type CardServices } from './card-support.js';

interface Loaded {
  s: CardServices;
  contact: Contact;
  lookups: CardLookups;
  spec: FieldSpec;
}

async function load(ctx: PluginContext, req: Request): Promise<Loaded> {
  const s = cardServices(ctx);
  const contact = await s.contacts.get(user(req), idParam(req));
  const lookups = await CardLookups.load(s, req);
  const spec = specFor(String(req.params.field), lookups.customFields);
  if (!spec || (spec.kinds && !spec.kinds.includes(contact.kind))) throw notFound();
  return { s, contact, lookups, spec };
}

async function assertEditable(s: CardServices, req: Request, id: number, spec: FieldSpec): Promise<void> {
  if (!(await s.scope.canEdit(user(req), id)) || (spec.adminOnly && !user(req).isAdmin)) throw new HttpError(403, 'forbidden', 'host:errors.forbidden');
}

async function renderField(req: Request, { s, contact, lookups, spec }: Loaded): Promise<string> {
  const canEdit = await s.scope.canEdit(user(req), contact.id);
  return s.views.renderPartial(req, 'crm/partials/card-field', { ...(await fieldView(spec, contact, lookups, canEdit)) });
}

async function renderForm(
  req: Request,
  { s, contact, lookups, spec }: Loaded,
  options: { value?: unknown; errors?: Record<string, string>; conflict?: Contact; version?: number; companyLabel?: string } = {},
): Promise<string> {
  const errors = options.errors ?? {};
  const value = 'value' in options ? options.value : readValue(spec, contact);
  const view: FormView = {
    contactId: contact.id,
    key: spec.key,
    label: lookups.label(spec),
    version: options.conflict?.version ?? options.version ?? contact.version,
    editor: await editorView(spec, value, lookups, errors, options.companyLabel),
    ...fieldErrors(spec, errors),
    conflict: options.conflict ? { items: await displayItems(spec, readValue(spec, options.conflict), lookups) } : null,
  };
  return s.views.renderPartial(req, 'crm/partials/card-field-form', { ...view });
}

async function renderHeader(req: Request, s: CardServices, contact: Contact, lookups: CardLookups, alert?: string): Promise<string> {
  const header = await headerModel(s, req, contact, lookups, await permissions(s, req, contact));
  return s.views.renderPartial(req, 'crm/partials/card-header-fragment', { header, alert: alert ?? null });
}

const htmx = (req: Request) => req.get('hx-request') === 'true';

export function registerCardEdit(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/contacts/:id/fields/:field',
    right: 'crm.access',
    summary: 'One field of the client card as shown (htmx fragment)',
    handler: async (req, res) => {
      const loaded = await load(ctx, req);
      sendFragment(res, await renderField(req, loaded));
    },
  });

  ctx.route({
    method: 'get',
    path: '/contacts/:id/fields/:field/edit',
    right: 'crm.contacts.edit',
    summary: 'The in-place editor of one field of the client card (htmx fragment)',
    handler: async (req, res) => {
      const loaded = await load(ctx, req);
      await assertEditable(loaded.s, req, loaded.contact.id, loaded.spec);
      sendFragment(res, await renderForm(req, loaded));
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts/:id/fields/:field',
    right: 'crm.contacts.edit',
    summary: 'Saves one field of the client card with the version it was opened with',
    handler: async (req: Request, res: Response) => {
      const loaded = await load(ctx, req);
      const { s, contact, lookups, spec } = loaded;
      await assertEditable(s, req, contact.id, spec);
      const inHeader = req.query.view === 'header';
      const body = formBody(req);
      const version = Number(str(body.version));
      const { input, value } = parseField(spec, body);
      const companyLabel = spec.editor === 'company' ? str(body.label) : undefined;

      const fail = async (status: number, errors: Record<string, string>, conflict?: Contact) => {
        if (!htmx(req)) throw new HttpError(status, status === 409 ? 'conflict' : 'invalid_input', status === 409 ? 'crm:errors.stale_version' : 'host:errors.invalid_input');
        if (inHeader) {
          const current = conflict ?? contact;
          const alert = status === 409 ? req.t('crm:card.conflict_header') : Object.values(errors).join(' ');
          return sendFragment(res, await renderHeader(req, s, current, lookups, alert), status);
        }
        sendFragment(res, await renderForm(req, loaded, { value, errors, conflict, version, companyLabel }), status);
      };

      // Text typed into the company picker is not a company until one is chosen from the list.
      if (spec.editor === 'company' && companyLabel?.trim() && value === null) return fail(400, { [spec.key]: req.t('crm:card.company_pick') });
      const schemaErrors = s.validator.validate(patchContactSchema, { ...input, version });
      if (schemaErrors.length) return fail(400, errorMap(req, schemaErrors));
      let updated: Contact;
      try {
        updated = await s.contacts.update(user(req), contact.id, input, version);
      } catch (err) {
        if (isHttpError(err, 400)) return fail(400, errorMap(req, err.details));
        if (isHttpError(err, 409)) {
          const current = (err.details as { current?: Contact } | undefined)?.current ?? (await s.contacts.get(user(req), contact.id));
          return fail(409, {}, current);
        }
        throw err;
      }
      if (!htmx(req)) return res.redirect(303, `/crm/contacts/${contact.id}`);
      const trigger = { 'crm:changed': { version: updated.version, from: version, field: spec.key } };
      if (inHeader) return sendFragment(res, await renderHeader(req, s, updated, lookups), 200, trigger);
      sendFragment(res, await renderField(req, { ...loaded, contact: updated }), 200, trigger);
    },
  });
}

/**
 * Adding a person or a company: the form (name, job, company, emails, phones, tax id, status,
 * responsible, required custom fields), "save and open" and "save and add another". Errors come
 * back beside each field with the values kept; a duplicate warning appears while typing (card.js).
 */
import type { Request, Response } from 'express';
import type { PluginContext } from '../../../host/api.js';
import type { Contact, ContactInput, ContactKind, TaxId } from '../api.js';
import { createContactSchema } from '../services/contact-input.js';
import { customSpec, parseField, TAX_ID_TYPES } from './card-fields.js';
import { CardLookups } from './card-format.js';
import { editorView } from './card-editors.js';
import { cardServices, errorMap, formBody, isHttpError, str, user, type CardServices } from './card-support.js';

const NAME_FIELDS: Record<ContactKind, string[]> = {
  person: ['first_name', 'middle_name', 'last_name', 'job_title'],
  company: ['company_name'],
};

interface FormState {
  kind: ContactKind;
  values: Record<string, string>;
  emails: string[];
  phones: string[];
  taxIds: Array<{ type: string; value: string }>;
  custom: Record<string, unknown>;
}

const rows = (v: unknown): Array<Record<string, unknown>> =>
  (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : []).filter((r): r is Record<string, unknown> => Boolean(r) && typeof r === 'object');
const kindOf = (v: unknown): ContactKind => (str(v) === 'company' ? 'company' : 'person');
const idOrNull = (v: string): number | string | null => (v.trim() === '' ? null : /^\d+$/.test(v.trim()) ? Number(v.trim()) : v);

function stateFromBody(body: Record<string, unknown>): FormState {
  const kind = kindOf(body.kind);
  const values: Record<string, string> = {};
  for (const f of [...NAME_FIELDS[kind], 'company_id', 'company_label', 'status_id', 'responsible_id', 'prefill_company']) values[f] = str(body[f]);
  return {
    kind,
    values,
    emails: rows(body.emails).map((r) => str(r.value)).filter((v) => v.trim()),
    phones: rows(body.phones).map((r) => str(r.value)).filter((v) => v.trim()),
    taxIds: rows(body.tax_ids).map((r) => ({ type: str(r.type), value: str(r.value) })).filter((t) => t.value.trim()),
    custom: (body.custom && typeof body.custom === 'object' ? body.custom : {}) as Record<string, unknown>,
  };
}

async function inputFrom(s: CardServices, state: FormState): Promise<ContactInput & { kind: ContactKind }> {
  const v = state.values;
  const input: ContactInput & { kind: ContactKind } = { kind: state.kind };
  for (const f of NAME_FIELDS[state.kind]) if (v[f]?.trim()) (input as Record<string, unknown>)[f] = v[f];
  if (state.kind === 'person' && v.company_id?.trim()) input.company_id = idOrNull(v.company_id) as number;
  if (v.status_id?.trim()) input.status_id = idOrNull(v.status_id) as number;
  if (v.responsible_id?.trim()) input.responsible_id = idOrNull(v.responsible_id) as number;
  if (state.emails.length) input.emails = state.emails.map((value, i) => ({ value, primary: i === 0 }));
  if (state.phones.length) input.phones = state.phones.map((value, i) => ({ value, primary: i === 0 }));
  if (state.taxIds.length) input.tax_ids = state.taxIds.map((t) => ({ type: t.type as TaxId['type'], value: t.value }));
  const custom: Record<string, unknown> = {};
  for (const def of await s.fields.all()) {
    if (!(def.key in state.custom)) continue;
    const { value } = parseField(customSpec(def), { value: state.custom[def.key] });
    if (value !== null) custom[def.key] = value;
  }
  if (Object.keys(custom).length) input.custom = custom;
  return input;
}

async function renderForm(s: CardServices, req: Request, res: Response, state: FormState, errors: Record<string, string> = {}, created: Contact | null = null, status = 200) {
  const l = await CardLookups.load(s, req);
  const v = state.values;
  const statuses = l.dictionary.filter((i) => i.dictionary === 'status' && i.active);
  const users = l.users.filter((u) => u.isActive);
  const used = new Set<string>();
  const err = (field: string) => {
    const hit = Object.keys(errors).find((k) => k === field || k.startsWith(`${field}.`));
    if (hit) used.add(hit);
    return hit ? errors[hit] : null;
  };
  const rowErr = (field: string, i: number) => {
    const hit = Object.keys(errors).find((k) => k.startsWith(`${field}.${i}`));
    if (hit) used.add(hit);
    return hit ? errors[hit] : null;
  };
  const list = (values: string[]) => (values.length ? values : ['']);
  const customFields = [];
  for (const def of await s.fields.all()) {
    const spec = customSpec(def);
    const raw = state.custom[def.key];
    const value = raw === undefined ? null : parseField(spec, { value: raw }).value;
    customFields.push({
      key: def.key,
      label: l.label(spec),
      required: def.required,
      error: err(spec.key),
      editor: { ...(await editorView(spec, value, l, {})), name: `custom[${def.key}]`, id: `new-custom-${def.key}` },
    });
  }
  const model = {
    title: req.t(state.kind === 'company' ? 'crm:card.new.title_company' : 'crm:card.new.title_person'),
    kind: state.kind,
    isCompany: state.kind === 'company',
    v,
    errors: Object.fromEntries(['first_name', 'middle_name', 'last_name', 'company_name', 'job_title', 'company_id', 'status_id', 'responsible_id'].map((f) => [f, err(f)])),
    emails: list(state.emails).map((value, i) => ({ value, error: rowErr('emails', i) })),
    phones: list(state.phones).map((value, i) => ({ value, error: rowErr('phones', i) })),
    taxIds: (state.taxIds.length ? state.taxIds : [{ type: state.kind === 'company' ? 'nip' : 'pesel', value: '' }]).map((t, i) => ({
      value: t.value,
      error: rowErr('tax_ids', i),
      types: TAX_ID_TYPES.map((type) => ({ value: type, label: req.t(`crm:card.tax_id.${type}`), selected: type === t.type })),
    })),
    statuses: statuses.map((i) => ({ value: String(i.id), label: l.itemLabel(i), selected: String(i.id) === v.status_id })),
    users: users.map((u) => ({ value: String(u.id), label: u.name, selected: String(u.id) === v.responsible_id })),
    customFields,
    created: created ? { id: created.id, name: created.name } : null,
    styles: ['/assets/p/crm/card.css'],
    scripts: ['/assets/p/crm/card.js'],
  };
  const otherErrors = Object.entries(errors).filter(([k]) => !used.has(k)).map(([, m]) => m);
  res.status(status).type('html').send(await s.views.renderPage(req, 'crm/new-contact', { ...model, otherErrors }));
}

export function registerCardNew(ctx: PluginContext): void {
  ctx.route({
    method: 'get',
    path: '/contacts/new',
    right: 'crm.contacts.create',
    query: {
      type: 'object',
      // status_id presets the status (the kanban's "+" on a column).
      properties: { kind: { enum: ['person', 'company'] }, company_id: { type: 'integer', minimum: 1 }, status_id: { type: 'integer', minimum: 1 }, created: { type: 'integer', minimum: 1 } },
    },
    summary: 'The form that adds a person or a company',
    handler: async (req, res) => {
      const s = cardServices(ctx);
      const q = req.query as { kind?: ContactKind; company_id?: number; status_id?: number; created?: number };
      const kind = q.kind ?? 'person';
      const l = await CardLookups.load(s, req);
      const statuses = l.dictionary.filter((i) => i.dictionary === 'status' && i.active);
      const firstStatus = statuses.find((i) => i.id === q.status_id) ?? statuses[0];
      const values: Record<string, string> = { status_id: firstStatus ? String(firstStatus.id) : '', responsible_id: String(user(req).id) };
      if (q.company_id && kind === 'person') {
        const company = await l.company(q.company_id);
        if (company && !company.deleted) Object.assign(values, { company_id: String(company.id), company_label: company.name, prefill_company: String(company.id) });
      }
      const created = q.created ? await s.contacts.get(user(req), q.created).catch(() => null) : null;
      await renderForm(s, req, res, { kind, values, emails: [], phones: [], taxIds: [], custom: {} }, {}, created);
    },
  });

  ctx.route({
    method: 'post',
    path: '/contacts',
    right: 'crm.contacts.create',
    summary: 'Adds a person or a company from the form',
    handler: async (req, res) => {
      const s = cardServices(ctx);
      const body = formBody(req);
      const state = stateFromBody(body);
      const input = await inputFrom(s, state);
      const errors = errorMap(req, s.validator.validate(createContactSchema, input));
      // Text typed into the company picker is not a company until one is chosen from the list.
      if (state.kind === 'person' && state.values.company_label?.trim() && !state.values.company_id?.trim()) errors.company_id = req.t('crm:card.company_pick');
      if (Object.keys(errors).length) return renderForm(s, req, res, state, errors, null, 400);
      let created: Contact;
      try {
        created = await s.contacts.create(user(req), input);
      } catch (err) {
        if (isHttpError(err, 400)) return renderForm(s, req, res, state, errorMap(req, err.details), null, 400);
        throw err;
      }
      if (str(body._next) === 'another') {
        const next = new URLSearchParams({ kind: state.kind, created: String(created.id) });
        if (state.values.prefill_company && state.kind === 'person') next.set('company_id', state.values.prefill_company);
        return res.redirect(303, `/crm/contacts/new?${next}`);
      }
      res.redirect(303, `/crm/contacts/${created.id}`);
    },
  });
}

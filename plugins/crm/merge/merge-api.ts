/**
 * Duplicates and merge over the REST API: `POST /contacts/merge`, the finder's runs (at once or
 * as a job), its groups page by page, and "not duplicates".
 */
import type { Request } from 'express';
import type { Sequelize } from 'sequelize';
import { HttpError, TOKENS, type CurrentUser, type PluginContext } from '../../../host/api.js';
import { CrmTokens, type Contact, type ContactScope } from '../api.js';
import type { ContactLoader } from '../services/contact-loader.js';
import { CrmInternalTokens } from '../services/contacts-service.js';
import { apiRoutes, pathId } from '../routes/api/params.js';
import { DuplicateRuns, type StoredGroup } from './duplicate-runs.js';
import { MAX_MERGE, MergeService } from './merge-service.js';

export const mergeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['master_id', 'merge_ids'],
  properties: {
    master_id: { type: 'integer', minimum: 1 },
    merge_ids: { type: 'array', minItems: 1, maxItems: MAX_MERGE, uniqueItems: true, items: { type: 'integer', minimum: 1 } },
    fields: { type: 'object', maxProperties: 300, additionalProperties: { type: 'integer', minimum: 1 } },
    version: { type: 'integer', minimum: 1 },
  },
};

const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { page: { type: 'integer', minimum: 1, default: 1 }, per_page: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
};

/** The visible, live contacts among the members of these groups, by id. */
export async function membersOf(ctx: PluginContext, user: CurrentUser, groups: StoredGroup[]): Promise<Map<number, Contact>> {
  const ids = [...new Set(groups.flatMap((g) => g.member_ids))];
  if (!ids.length) return new Map();
  const scope = ctx.get<ContactScope>(CrmTokens.Scope).condition(user, 'c');
  const [rows] = await ctx.get<Sequelize>(TOKENS.Database).query(
    `SELECT c.id FROM crm_contacts c WHERE c.id IN (${ids.map(() => '?').join(', ')}) AND c.deleted_at IS NULL AND ${scope.sql}`,
    { replacements: [...ids, ...scope.params] },
  );
  const contacts = await ctx.get<ContactLoader>(CrmInternalTokens.Loader).byIds((rows as Array<{ id: number }>).map((r) => Number(r.id)));
  return new Map(contacts.map((c) => [c.id, c]));
}

/** A stored group with the members still there (merged or trashed ones drop out); null when fewer than two are left. */
export function liveGroup(group: StoredGroup, members: Map<number, Contact>): { group: StoredGroup; contacts: Contact[] } | null {
  const contacts = group.member_ids.map((id) => members.get(id)).filter((c): c is Contact => Boolean(c));
  return contacts.length >= 2 ? { group, contacts } : null;
}

export function registerMergeApi(ctx: PluginContext): void {
  const route = apiRoutes(ctx);
  const runs = () => new DuplicateRuns(ctx);

  route({
    method: 'post',
    path: '/contacts/merge',
    right: 'crm.contacts.merge',
    summary: 'Merge contacts into a master: {master_id, merge_ids, fields: {field: id of the contact whose value wins}, version?}; the merged ids then answer 301 to the master',
    body: mergeBodySchema,
    handler: async (req, res) => {
      const body = req.body as { master_id: number; merge_ids: number[]; fields?: Record<string, number>; version?: number };
      const result = await new MergeService(ctx).merge(req.user!, { masterId: body.master_id, mergeIds: body.merge_ids, fields: body.fields, version: body.version });
      res.json({ master: result.master, merged: result.merged });
    },
  });

  route({
    method: 'get',
    path: '/duplicates',
    right: 'crm.contacts.merge',
    summary: "Groups of likely duplicates from the caller's latest finder run: {run, items: [{signature, reasons, contacts}], total}",
    query: pageQuery,
    handler: async (req, res) => {
      const q = req.query as unknown as { page: number; per_page: number };
      const run = await runs().latest(req.user!);
      if (!run || run.state !== 'done') return void res.json({ run, items: [], total: 0 });
      const page = await runs().groups(run.id, q.page, q.per_page);
      const members = await membersOf(ctx, req.user!, page.items);
      const items = page.items.flatMap((g) => {
        const live = liveGroup(g, members);
        return live ? [{ signature: g.signature, reasons: g.reasons, contacts: live.contacts.map((c) => ({ id: c.id, kind: c.kind, name: c.name, emails: c.emails, phones: c.phones, company_id: c.company_id })) }] : [];
      });
      res.json({ run, items, total: page.total });
    },
  });

  route({
    method: 'post',
    path: '/duplicates/runs',
    right: 'crm.contacts.merge',
    summary: 'Find duplicates: 201 {run} when done at once (small bases), 202 {run, job_id} for a job (big bases, or background: true)',
    body: { type: 'object', additionalProperties: false, properties: { background: { type: 'boolean' } } },
    handler: async (req: Request, res) => {
      const run = await runs().start(req.user!, { background: (req.body as { background?: boolean } | undefined)?.background === true });
      if (run.job_id) return void res.status(202).location(`/api/v1/jobs/${run.job_id}`).json({ run, job_id: run.job_id });
      res.status(201).json({ run });
    },
  });

  route({
    method: 'get',
    path: '/duplicates/runs/:id',
    right: 'crm.contacts.merge',
    summary: "One of the caller's finder runs: {id, state, job_id, group_count, created_at, finished_at}",
    handler: async (req, res) => {
      const run = await runs().get(req.user!, pathId(req));
      if (!run) throw new HttpError(404, 'not_found', 'host:errors.not_found');
      res.json(run);
    },
  });

  route({
    method: 'post',
    path: '/duplicates/dismissals',
    right: 'crm.contacts.merge',
    summary: 'Mark a group as not duplicates (by its signature); later runs leave it out',
    body: { type: 'object', additionalProperties: false, required: ['signature'], properties: { signature: { type: 'string', pattern: '^[0-9a-f]{40}$' } } },
    handler: async (req, res) => {
      await runs().dismiss(req.user!, (req.body as { signature: string }).signature);
      res.status(204).end();
    },
  });
}
